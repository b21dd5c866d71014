package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.TestClock;
import dev.lambdaop.aws.AliasSnapshot;
import dev.lambdaop.aws.AwsIdentity;
import dev.lambdaop.aws.HealthSignals.VersionHealth;
import dev.lambdaop.aws.Versions.Traits;
import dev.lambdaop.reconcile.Urgency;
import dev.lambdaop.reconcile.Work;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Two accounts may each have a function {@code orders} (and an alarm of the same name) in the same region: what the
 * adapter keeps by region and name is kept per AWS identity too, and never answers one account with another's.
 */
class CachesPerIdentityTest {
  private static final String REGION = "eu-west-1";
  private static final AwsIdentity SHOP = new AwsIdentity("arn:aws:iam::222222222222:role/lambda-operator", null);
  private static final AwsIdentity BILLING = new AwsIdentity("arn:aws:iam::333333333333:role/lambda-operator", null);
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:30Z");

  private final TestClock clock = new TestClock(T0);

  private static <T> T as(AwsIdentity identity, Supplier<T> body) {
    return new Work("LambdaAlias/" + (identity == SHOP ? "shop" : "billing") + "/live", Urgency.STEP, identity)
        .run(body);
  }

  @Test
  void versionTraits() {
    VersionTraitsCache cache = new VersionTraitsCache(clock);
    as(SHOP, () -> {
      cache.put(REGION, "orders", "3", new Traits("arn:aws:iam::222222222222:role/exec", null));
      return null;
    });
    assertEquals(Optional.empty(), as(BILLING, () -> cache.get(REGION, "orders", "3")));
    as(BILLING, () -> {
      cache.put(REGION, "orders", "3", new Traits("arn:aws:iam::333333333333:role/exec", null));
      return null;
    });
    assertEquals("arn:aws:iam::222222222222:role/exec", as(SHOP, () -> cache.get(REGION, "orders", "3")).get().role());
    as(SHOP, () -> {
      cache.forgetFunction(REGION, "orders");
      return null;
    });
    assertEquals(Optional.empty(), as(SHOP, () -> cache.get(REGION, "orders", "3")));
    assertEquals("arn:aws:iam::333333333333:role/exec",
        as(BILLING, () -> cache.get(REGION, "orders", "3")).get().role(), "the other account's entry stays");
  }

  @Test
  void aliasListings() {
    AliasListings listings = new AliasListings(Duration.ofSeconds(30), clock);
    List<String> listed = new ArrayList<>();
    Optional<AliasSnapshot> shop = as(SHOP, () -> listings.get(REGION, "orders", "live", () -> {
      listed.add("shop");
      return List.of(new AliasSnapshot("live", "arn:aws:lambda:eu-west-1:222222222222:function:orders:live", "4",
          null, null, 0, "r1"));
    }));
    Optional<AliasSnapshot> billing = as(BILLING, () -> listings.get(REGION, "orders", "live", () -> {
      listed.add("billing");
      return List.of(new AliasSnapshot("live", "arn:aws:lambda:eu-west-1:333333333333:function:orders:live", "9",
          null, null, 0, "r2"));
    }));
    assertEquals(List.of("shop", "billing"), listed, "each account lists its own function");
    assertEquals("4", shop.get().functionVersion());
    assertEquals("9", billing.get().functionVersion());
    as(BILLING, () -> {
      listings.forget(REGION, "orders");
      return null;
    });
    assertEquals("4", as(SHOP, () -> listings.get(REGION, "orders", "live", () -> {
      throw new AssertionError("shop's listing is still fresh");
    })).get().functionVersion());
  }

  @Test
  void healthBatchesAreFetchedPerIdentity_asThatIdentity() {
    List<String> calls = new CopyOnWriteArrayList<>();
    HealthBatches.CloudWatch cloudWatch = new HealthBatches.CloudWatch() {
      @Override
      public Set<String> describeAlarms(String region, List<String> alarmNames) {
        AwsIdentity identity = Work.current().identity();
        calls.add("DescribeAlarms " + identity.roleAccount() + " " + alarmNames);
        return identity == SHOP ? Set.of("orders-errors") : Set.of();
      }

      @Override
      public List<Map<Instant, Double>> getMetricData(String region, List<HealthBatches.MetricQuery> queries,
          Instant start, Instant end) {
        AwsIdentity identity = Work.current().identity();
        calls.add("GetMetricData " + identity.roleAccount() + " " + queries.size());
        double errors = identity == SHOP ? 5 : 0;
        List<Map<Instant, Double>> answer = new ArrayList<>();
        for (HealthBatches.MetricQuery q : queries) {
          answer.add(Map.of(T0.minusSeconds(30), q.metric().equals("Errors") ? errors : 10.0));
        }
        return answer;
      }
    };
    HealthBatches batches = new HealthBatches(cloudWatch, clock);
    assertEquals(List.of("orders-errors"), as(SHOP, () -> batches.inAlarm(REGION, List.of("orders-errors"))));
    assertEquals(List.of(), as(BILLING, () -> batches.inAlarm(REGION, List.of("orders-errors"))));
    assertEquals(new VersionHealth(5, 10), as(SHOP, () -> batches.health(REGION, "orders", "live", "2", T0)));
    assertEquals(new VersionHealth(0, 10), as(BILLING, () -> batches.health(REGION, "orders", "live", "2", T0)));
    // answered from each identity's own batch within the tick
    assertEquals(List.of("orders-errors"), as(SHOP, () -> batches.inAlarm(REGION, List.of("orders-errors"))));
    assertEquals(List.of(), as(BILLING, () -> batches.inAlarm(REGION, List.of("orders-errors"))));
    assertEquals(List.of("DescribeAlarms 222222222222 [orders-errors]", "DescribeAlarms 333333333333 [orders-errors]",
        "GetMetricData 222222222222 2", "GetMetricData 333333333333 2"), calls);
    assertTrue(Work.current().identity() == AwsIdentity.OPERATOR, "the thread's work is restored");
  }
}
