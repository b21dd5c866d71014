package dev.lambdaop.aws;

/**
 * Everything the reconcilers ask of AWS, as small ports. {@code dev.lambdaop.aws.sdk} implements them with the AWS
 * SDK (the only code that calls it); the tests' {@code InMemoryAws} implements them in memory. {@link Accounts} says
 * which account an {@link AwsIdentity} acts in.
 */
public record Aws(Functions functions, Versions versions, Aliases aliases, ReservedConcurrency concurrency,
    Invoker invoker, HealthSignals health, CodeObjects code, AliasTriggers triggers,
    EventSourceMappings eventSources, Accounts accounts) {}
