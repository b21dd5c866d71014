package dev.lambdaop.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Reserved concurrency of one Lambda function, owned apart from the function itself. */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("lcon")
@AdditionalPrinterColumn(name = "Function", jsonPath = ".status.functionName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reserved", jsonPath = ".status.reservedConcurrentExecutions", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Unreserved-Left", jsonPath = ".status.account.unreservedConcurrentExecutions", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Account", jsonPath = ".status.accountId", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class Concurrency extends CustomResource<ConcurrencySpec, ConcurrencyStatus> implements Namespaced {}
