package dev.lambdaop.aws;

/**
 * An alias as AWS reports it.
 *
 * @param additionalVersion the version that gets {@code additionalWeight} of the traffic, or null
 * @param additionalWeight its share, 0.0 to 1.0
 */
public record AliasSnapshot(String name, String aliasArn, String functionVersion, String description,
    String additionalVersion, double additionalWeight, String revisionId) {}
