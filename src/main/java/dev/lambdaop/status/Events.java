package dev.lambdaop.status;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Events about a custom resource (what `kubectl describe` shows). Messages never carry a secret value. */
public interface Events {
  void normal(HasMetadata about, String reason, String message);

  void warning(HasMetadata about, String reason, String message);
}
