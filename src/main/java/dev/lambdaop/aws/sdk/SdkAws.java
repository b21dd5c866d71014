package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.Aws;

/** The ports of {@link Aws}, implemented with the AWS SDK: the only code that calls it. */
public final class SdkAws {
  private SdkAws() {}

  public static Aws create(AwsClients clients, AwsCalls calls) {
    return new Aws(new SdkFunctions(clients, calls), new SdkVersions(clients, calls), new SdkAliases(clients, calls),
        new SdkConcurrency(clients, calls), new SdkInvoker(clients, calls), new SdkHealthSignals(clients, calls),
        new SdkCodeObjects(clients, calls));
  }
}
