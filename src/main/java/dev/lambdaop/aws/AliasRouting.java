package dev.lambdaop.aws;

/**
 * Where an alias sends traffic: {@code version} gets what {@code additionalVersion} (if any) does not.
 *
 * @param additionalWeight the additional version's share, 0.0 to 1.0
 */
public record AliasRouting(String alias, String version, String additionalVersion, double additionalWeight,
    String description) {}
