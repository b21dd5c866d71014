package dev.lambdaop.api;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * What every kind's status has, for the shared status machinery: its conditions and the generation it describes.
 * (Not bean accessors, so that they add nothing to the status's JSON.)
 */
public interface ReconciledStatus {
  List<Condition> conditions();

  void observedGeneration(Long generation);

  /** The AWS account the resource's objects live in ({@code status.accountId}), or null before it was recorded. */
  String accountId();

  void accountId(String accountId);
}
