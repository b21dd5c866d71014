package dev.lambdaop.eventsource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.EventSourceMappingSpec;
import dev.lambdaop.api.EventSourceMappingSpec.DestinationConfig;
import dev.lambdaop.api.EventSourceMappingSpec.Filter;
import dev.lambdaop.api.EventSourceMappingSpec.FilterCriteria;
import dev.lambdaop.api.EventSourceMappingSpec.OnFailure;
import dev.lambdaop.api.EventSourceMappingSpec.ScalingConfig;
import dev.lambdaop.api.EventSourceMappingSpec.SourceAccessConfiguration;
import dev.lambdaop.aws.EventSourceMappings.Mapping;
import dev.lambdaop.aws.EventSourceMappings.Settings;
import dev.lambdaop.aws.EventSourceMappings.SourceAccess;
import dev.lambdaop.eventsource.MappingPlan.Target;
import dev.lambdaop.reconcile.SpecProblem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link MappingPlan}: the spec as settings, and the step from what AWS holds to it. */
class MappingPlanTest {
  private static final String QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders";
  private static final String STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/orders";
  private static final String FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:orders";
  private static final Target LIVE = Target.of("us-east-1", FUNCTION + ":live");

  private static EventSourceMappingSpec spec(String source) {
    EventSourceMappingSpec spec = new EventSourceMappingSpec();
    spec.eventSourceArn = source;
    return spec;
  }

  /** AWS's answer for a stream mapping created with nothing but its source, the defaults filled in. */
  private static Settings awsStreamDefaults() {
    return new Settings(STREAM, 100, 0, "TRIM_HORIZON", null, true, null, null, null, -1, -1, false, 1, null, null,
        null, null, null);
  }

  private static Mapping mapping(String state, String functionArn, Settings settings) {
    return new Mapping("uuid-1", "arn:aws:lambda:us-east-1:123456789012:event-source-mapping:uuid-1", functionArn,
        state, null, "OK", settings);
  }

  private static MappingPlan.Step plan(EventSourceMappingSpec spec, Mapping observed) {
    return MappingPlan.plan(MappingPlan.desired(spec), LIVE, Optional.ofNullable(observed));
  }

  @Test
  void everyFieldOfTheSpecBecomesItsSetting() {
    EventSourceMappingSpec spec = spec(STREAM);
    spec.batchSize = 500;
    spec.maximumBatchingWindow = "1m30s";
    spec.startingPosition = EventSourceMappingSpec.StartingPosition.AT_TIMESTAMP;
    spec.startingPositionTimestamp = "2025-03-01T12:00:00+02:00";
    spec.enabled = false;
    spec.filterCriteria = new FilterCriteria();
    spec.filterCriteria.filters = List.of(new Filter("{\"a\":[1]}"));
    spec.functionResponseTypes = List.of(EventSourceMappingSpec.FunctionResponseType.ReportBatchItemFailures);
    spec.maximumRetryAttempts = 3;
    spec.maximumRecordAge = "1h";
    spec.bisectBatchOnFunctionError = true;
    spec.parallelizationFactor = 4;
    spec.tumblingWindow = "15m";
    spec.destinationConfig = new DestinationConfig();
    spec.destinationConfig.onFailure = new OnFailure();
    spec.destinationConfig.onFailure.destination = QUEUE + "-dlq";

    assertEquals(new Settings(STREAM, 500, 90, "AT_TIMESTAMP", Instant.parse("2025-03-01T10:00:00Z"), false,
        List.of("{\"a\":[1]}"), List.of("ReportBatchItemFailures"), null, 3, 3600, true, 4, 900, QUEUE + "-dlq",
        null, null, null), MappingPlan.desired(spec));
  }

  @Test
  void sqsAndSourceSpecificFieldsBecomeTheirSettings() {
    EventSourceMappingSpec spec = spec("arn:aws:mq:us-east-1:123456789012:broker:orders:b-1");
    spec.queues = List.of("orders");
    SourceAccessConfiguration auth = new SourceAccessConfiguration();
    auth.type = "BASIC_AUTH";
    auth.uri = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mq";
    spec.sourceAccessConfigurations = List.of(auth);
    Settings mq = MappingPlan.desired(spec);
    assertEquals(List.of("orders"), mq.queues());
    assertEquals(List.of(new SourceAccess("BASIC_AUTH", auth.uri)), mq.sourceAccess());
    assertEquals(true, mq.enabled(), "enabled by default");

    EventSourceMappingSpec sqs = spec(QUEUE);
    sqs.scalingConfig = new ScalingConfig();
    sqs.scalingConfig.maximumConcurrency = 20;
    sqs.maximumRecordAge = "-1";
    assertEquals(20, MappingPlan.desired(sqs).maximumConcurrency());
    assertEquals(-1, MappingPlan.desired(sqs).maximumRecordAgeSeconds(), "-1: no limit");

    EventSourceMappingSpec msk = spec("arn:aws:kafka:us-east-1:123456789012:cluster/c/1");
    msk.topics = List.of("orders");
    assertEquals(List.of("orders"), MappingPlan.desired(msk).topics());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1500ms", "301s", "1h"})
  void aBatchingWindowAwsCannotTakeIsInvalidSpec(String window) {
    EventSourceMappingSpec spec = spec(QUEUE);
    spec.maximumBatchingWindow = window;
    SpecProblem p = assertThrows(SpecProblem.class, () -> MappingPlan.desired(spec));
    assertEquals("InvalidSpec", p.reason());
    assertTrue(p.getMessage().contains("spec.maximumBatchingWindow"), p.getMessage());
  }

  @Test
  void aRecordAgeOutsideAwssRangeAndABadTimestampAreInvalidSpec() {
    EventSourceMappingSpec age = spec(STREAM);
    age.maximumRecordAge = "30s";
    assertThrows(SpecProblem.class, () -> MappingPlan.desired(age));
    age.maximumRecordAge = "169h";
    assertThrows(SpecProblem.class, () -> MappingPlan.desired(age));
    EventSourceMappingSpec time = spec(STREAM);
    time.startingPositionTimestamp = "yesterday";
    assertEquals("InvalidSpec", assertThrows(SpecProblem.class, () -> MappingPlan.desired(time)).reason());
  }

  @Test
  void noMappingIsCreated() {
    assertInstanceOf(MappingPlan.Create.class, plan(spec(STREAM), null));
  }

  @Test
  void aMappingAsAwsCreatedItWithItsDefaultsIsInSync() {
    EventSourceMappingSpec spec = spec(STREAM);
    spec.startingPosition = EventSourceMappingSpec.StartingPosition.LATEST;
    // what the spec leaves out is AWS's to choose; startingPosition counts at creation only
    assertInstanceOf(MappingPlan.InSync.class, plan(spec, mapping("Enabled", FUNCTION + ":live", awsStreamDefaults())));
  }

  @Test
  void defaultsAwsDoesNotReportStandForTheValuesTheSpecSetsToThem() {
    EventSourceMappingSpec spec = spec(STREAM);
    spec.maximumBatchingWindow = "0s";
    spec.maximumRetryAttempts = -1;
    spec.maximumRecordAge = "-1";
    spec.bisectBatchOnFunctionError = false;
    spec.parallelizationFactor = 1;
    spec.tumblingWindow = "0s";
    spec.filterCriteria = new FilterCriteria();
    spec.filterCriteria.filters = List.of();
    spec.functionResponseTypes = List.of();
    Settings reported = new Settings(STREAM, 100, null, null, null, true, null, null, null, null, null, null, null,
        null, null, null, null, null);
    assertInstanceOf(MappingPlan.InSync.class, plan(spec, mapping("Enabled", FUNCTION + ":live", reported)));
  }

  /** One field changed in the spec: an update of that field alone. */
  private static void assertUpdates(String field, Consumer<EventSourceMappingSpec> change, Settings expected) {
    EventSourceMappingSpec spec = spec(STREAM);
    change.accept(spec);
    MappingPlan.Step step = plan(spec, mapping("Enabled", FUNCTION + ":live", awsStreamDefaults()));
    MappingPlan.Update update = assertInstanceOf(MappingPlan.Update.class, step);
    assertEquals(List.of(field), update.fields());
    assertNull(update.function(), "same target");
    assertEquals(expected, update.changes());
  }

  private static Settings only(Consumer<Object[]> set) {
    Object[] v = new Object[18];
    set.accept(v);
    @SuppressWarnings("unchecked")
    Settings s = new Settings((String) v[0], (Integer) v[1], (Integer) v[2], (String) v[3], (Instant) v[4],
        (Boolean) v[5], (List<String>) v[6], (List<String>) v[7], (Integer) v[8], (Integer) v[9], (Integer) v[10],
        (Boolean) v[11], (Integer) v[12], (Integer) v[13], (String) v[14], (List<String>) v[15], (List<String>) v[16],
        (List<SourceAccess>) v[17]);
    return s;
  }

  @Test
  void everyChangedFieldIsUpdatedInPlaceAndNothingElse() {
    assertUpdates("batchSize", s -> s.batchSize = 50, only(v -> v[1] = 50));
    assertUpdates("maximumBatchingWindow", s -> s.maximumBatchingWindow = "5s", only(v -> v[2] = 5));
    assertUpdates("enabled", s -> s.enabled = false, only(v -> v[5] = false));
    assertUpdates("filterCriteria", s -> {
      s.filterCriteria = new FilterCriteria();
      s.filterCriteria.filters = List.of(new Filter("{}"));
    }, only(v -> v[6] = List.of("{}")));
    assertUpdates("functionResponseTypes", s -> s.functionResponseTypes =
        List.of(EventSourceMappingSpec.FunctionResponseType.ReportBatchItemFailures),
        only(v -> v[7] = List.of("ReportBatchItemFailures")));
    assertUpdates("maximumRetryAttempts", s -> s.maximumRetryAttempts = 2, only(v -> v[9] = 2));
    assertUpdates("maximumRecordAge", s -> s.maximumRecordAge = "2m", only(v -> v[10] = 120));
    assertUpdates("bisectBatchOnFunctionError", s -> s.bisectBatchOnFunctionError = true, only(v -> v[11] = true));
    assertUpdates("parallelizationFactor", s -> s.parallelizationFactor = 10, only(v -> v[12] = 10));
    assertUpdates("tumblingWindow", s -> s.tumblingWindow = "1m", only(v -> v[13] = 60));
    assertUpdates("destinationConfig", s -> {
      s.destinationConfig = new DestinationConfig();
      s.destinationConfig.onFailure = new OnFailure();
      s.destinationConfig.onFailure.destination = QUEUE;
    }, only(v -> v[14] = QUEUE));
  }

  @Test
  void scalingAndSourceAccessAreComparedAndUpdated() {
    EventSourceMappingSpec spec = spec(QUEUE);
    spec.scalingConfig = new ScalingConfig();
    spec.scalingConfig.maximumConcurrency = 5;
    Settings sqs = new Settings(QUEUE, 10, 0, null, null, true, null, null, null, null, null, null, null, null, null,
        null, null, null);
    MappingPlan.Update update = assertInstanceOf(MappingPlan.Update.class,
        plan(spec, mapping("Enabled", FUNCTION + ":live", sqs)));
    assertEquals(List.of("scalingConfig"), update.fields());
    assertEquals(5, update.changes().maximumConcurrency());

    List<String> fields = new ArrayList<>();
    Settings want = new Settings("x", null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, List.of(new SourceAccess("B", "2"), new SourceAccess("A", "1")));
    Settings have = new Settings("x", null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, List.of(new SourceAccess("A", "1"), new SourceAccess("B", "2")));
    MappingPlan.changes(want, have, fields);
    assertEquals(List.of(), fields, "the order of source access configurations does not count");
  }

  @Test
  void filtersAndResponseTypesCompareWithoutOrder() {
    List<String> fields = new ArrayList<>();
    Settings want = new Settings("x", null, null, null, null, null, List.of("b", "a"), null, null, null, null, null,
        null, null, null, null, null, null);
    Settings have = new Settings("x", null, null, null, null, null, List.of("a", "b"), null, null, null, null, null,
        null, null, null, null, null, null);
    MappingPlan.changes(want, have, fields);
    assertEquals(List.of(), fields);
  }

  @Test
  void anEmptyFilterListRemovesTheFilters() {
    EventSourceMappingSpec spec = spec(STREAM);
    spec.filterCriteria = new FilterCriteria();
    spec.filterCriteria.filters = List.of();
    Settings filtered = new Settings(STREAM, 100, 0, "TRIM_HORIZON", null, true, List.of("{}"), null, null, -1, -1,
        false, 1, null, null, null, null, null);
    MappingPlan.Update update = assertInstanceOf(MappingPlan.Update.class,
        plan(spec, mapping("Enabled", FUNCTION + ":live", filtered)));
    assertEquals(List.of(), update.changes().filterPatterns());
  }

  @Test
  void aFilterTheSpecLeavesOutIsAwssToKeep() {
    Settings filtered = new Settings(STREAM, 100, 0, "TRIM_HORIZON", null, true, List.of("{}"), null, null, -1, -1,
        false, 1, null, null, null, null, null);
    assertInstanceOf(MappingPlan.InSync.class, plan(spec(STREAM), mapping("Enabled", FUNCTION + ":live", filtered)));
  }

  @Test
  void anotherSourceReplacesTheMapping() {
    EventSourceMappingSpec spec = spec(STREAM + "-v2");
    MappingPlan.Replace replace = assertInstanceOf(MappingPlan.Replace.class,
        plan(spec, mapping("Enabled", FUNCTION + ":live", awsStreamDefaults())));
    assertEquals("uuid-1", replace.replacedUuid());
    // even while AWS is still changing the old one: the new one does not wait for it
    assertInstanceOf(MappingPlan.Replace.class, plan(spec, mapping("Updating", FUNCTION, awsStreamDefaults())));
  }

  @Test
  void anotherTopicOrQueueReplacesTheMapping() {
    String msk = "arn:aws:kafka:us-east-1:123456789012:cluster/c/1";
    EventSourceMappingSpec spec = spec(msk);
    spec.topics = List.of("orders-v2");
    Settings reported = new Settings(msk, 100, 0, "LATEST", null, true, null, null, null, null, null, null, null,
        null, null, List.of("orders"), null, null);
    assertInstanceOf(MappingPlan.Replace.class, plan(spec, mapping("Enabled", FUNCTION + ":live", reported)));
    spec.topics = List.of("orders");
    assertInstanceOf(MappingPlan.InSync.class, plan(spec, mapping("Enabled", FUNCTION + ":live", reported)));
  }

  @Test
  void anotherTargetIsAnUpdateInPlaceOfTheFunctionName() {
    EventSourceMappingSpec spec = spec(STREAM);
    spec.batchSize = 10;
    MappingPlan.Update update = assertInstanceOf(MappingPlan.Update.class,
        plan(spec, mapping("Enabled", FUNCTION + ":blue", awsStreamDefaults())));
    assertEquals(FUNCTION + ":live", update.function());
    assertEquals(List.of("target", "batchSize"), update.fields());
    assertEquals(10, update.changes().batchSize());
  }

  @ParameterizedTest
  @ValueSource(strings = {"Creating", "Updating", "Enabling", "Disabling", "Deleting"})
  void whileAwsChangesTheMappingThePlanWaits(String state) {
    EventSourceMappingSpec spec = spec(STREAM);
    spec.batchSize = 10;
    MappingPlan.Wait wait = assertInstanceOf(MappingPlan.Wait.class,
        plan(spec, mapping(state, FUNCTION + ":live", awsStreamDefaults())));
    assertEquals(state, wait.state());
  }

  @Test
  void aDisabledMappingIsEnabledAndADisabledOneStaysWhenAsked() {
    Settings disabled = new Settings(STREAM, 100, 0, "TRIM_HORIZON", null, false, null, null, null, -1, -1, false, 1,
        null, null, null, null, null);
    MappingPlan.Update update = assertInstanceOf(MappingPlan.Update.class,
        plan(spec(STREAM), mapping("Disabled", FUNCTION + ":live", disabled)));
    assertEquals(true, update.changes().enabled());
    EventSourceMappingSpec off = spec(STREAM);
    off.enabled = false;
    assertInstanceOf(MappingPlan.InSync.class, plan(off, mapping("Disabled", FUNCTION + ":live", disabled)));
  }

  @Test
  void targetsCompareByFunctionAndQualifierWhateverTheirForm() {
    assertTrue(Target.of("us-east-1", "orders:live").is(FUNCTION + ":live"));
    assertTrue(Target.of("us-east-1", FUNCTION + ":live").is(FUNCTION + ":live"));
    assertTrue(Target.of("us-east-1", "orders").is(FUNCTION));
    assertTrue(Target.of("us-east-1", "orders").is(FUNCTION + ":$LATEST"));
    assertFalse(Target.of("us-east-1", "orders").is(FUNCTION + ":live"));
    assertFalse(Target.of("us-east-1", "orders:7").is(FUNCTION + ":8"));
    assertFalse(Target.of("us-east-1", "other:live").is(FUNCTION + ":live"));
    assertFalse(Target.of("us-east-1", "orders").is(null));
    Target t = Target.of("eu-west-1", FUNCTION + ":live");
    assertEquals(new Target("eu-west-1", FUNCTION + ":live", "orders", "live"), t);
  }
}
