package dev.lambdaop.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  private final Instant t0 = Instant.parse("2026-01-01T10:00:00.123Z");
  private final Instant t1 = t0.plusSeconds(60);
  private final Instant t2 = t0.plusSeconds(120);

  @Test
  void transitionTimeChangesOnlyWhenStatusChanges() {
    List<Condition> conditions = new ArrayList<>();
    Conditions.set(conditions, "Ready", false, "Progressing", "creating", 1L, t0);
    assertEquals("2026-01-01T10:00:00Z", conditions.get(0).getLastTransitionTime());

    Conditions.set(conditions, "Ready", false, "Throttled", "slow down", 2L, t1);
    Condition c = conditions.get(0);
    assertEquals("2026-01-01T10:00:00Z", c.getLastTransitionTime());
    assertEquals("Throttled", c.getReason());
    assertEquals(2L, c.getObservedGeneration());

    Conditions.set(conditions, "Ready", true, "Synced", "ok", 2L, t2);
    assertEquals("2026-01-01T10:02:00Z", conditions.get(0).getLastTransitionTime());
    assertEquals(1, conditions.size());
    assertTrue(Conditions.isTrue(conditions, "Ready"));
  }

  @Test
  void conditionsOfDifferentTypesLiveSideBySide() {
    List<Condition> conditions = new ArrayList<>();
    Conditions.set(conditions, "Ready", true, "Synced", "ok", 1L, t0);
    Conditions.set(conditions, "Degraded", false, "Healthy", "", 1L, t0);
    assertEquals(2, conditions.size());
    assertFalse(Conditions.isTrue(conditions, "Degraded"));
    assertFalse(Conditions.isTrue(conditions, "Progressing"));
  }
}
