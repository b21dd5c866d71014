package dev.lambdaop.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A Lambda alias, with weighted routing and progressive traffic shifts between versions. */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("lal")
@ValidationRule(
    value = "has(self.spec.aliasName) || !self.metadata.name.matches('^[0-9]+$')",
    message = "metadata.name is all digits, which is not a valid alias name: set spec.aliasName")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Stable", jsonPath = ".status.stableVersion", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Canary", jsonPath = ".status.canaryVersion", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Weight", jsonPath = ".status.canaryWeight", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "URL", jsonPath = ".status.functionUrl", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Account", jsonPath = ".status.accountId", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class LambdaAlias extends CustomResource<LambdaAliasSpec, LambdaAliasStatus> implements Namespaced {

  /** The AWS alias name: spec.aliasName, or metadata.name when it is not set. */
  public String aliasName() {
    LambdaAliasSpec spec = getSpec();
    return spec != null && spec.aliasName != null ? spec.aliasName : getMetadata().getName();
  }
}
