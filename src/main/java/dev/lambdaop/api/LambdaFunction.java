package dev.lambdaop.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** An AWS Lambda function, its code, configuration and published versions. */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("lfn")
@AdditionalPrinterColumn(name = "Function", jsonPath = ".status.functionName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Version", jsonPath = ".status.latestVersion", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.state", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Account", jsonPath = ".status.accountId", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class LambdaFunction extends CustomResource<LambdaFunctionSpec, LambdaFunctionStatus> implements Namespaced {

  /** The AWS function name: spec.functionName, or metadata.name when it is not set. */
  public String functionName() {
    LambdaFunctionSpec spec = getSpec();
    return spec != null && spec.functionName != null ? spec.functionName : getMetadata().getName();
  }
}
