package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.Aws;
import java.time.Clock;
import java.time.Duration;

/** The ports of {@link Aws}, implemented with the AWS SDK: the only code that calls it. */
public final class SdkAws {
  /** How long an alias listing serves drift checks when the operator does not say ({@link AliasListings}). */
  public static final Duration DEFAULT_ALIAS_LISTING_TTL = Duration.ofSeconds(30);

  private SdkAws() {}

  public static Aws create(AwsClients clients, AwsCalls calls) {
    return create(clients, calls, DEFAULT_ALIAS_LISTING_TTL);
  }

  /**
   * @param aliasListingTtl how long one ListAliases serves the drift checks of a function's aliases: half the
   *     resync period ({@link AliasListings})
   */
  public static Aws create(AwsClients clients, AwsCalls calls, Duration aliasListingTtl) {
    Clock clock = Clock.systemUTC();
    VersionTraitsCache traits = new VersionTraitsCache(clock);
    AliasListings listings = new AliasListings(aliasListingTtl, clock);
    return new Aws(new SdkFunctions(clients, calls, traits, listings), new SdkVersions(clients, calls, traits),
        new SdkAliases(clients, calls, listings), new SdkConcurrency(clients, calls), new SdkInvoker(clients, calls),
        new SdkHealthSignals(clients, calls), new SdkCodeObjects(clients, calls),
        new SdkAliasTriggers(clients, calls), new SdkEventSourceMappings(clients, calls),
        // a role's account from its ARN; the operator's own from STS GetCallerIdentity, asked once
        clients::accountId);
  }
}
