package dev.lambdaop.alias;

/**
 * The AWS alias a LambdaAlias means, and the version it is to serve.
 *
 * @param region where the function is
 * @param functionName the function's name in AWS
 * @param alias the alias's name in AWS
 * @param version the version the spec targets ('latest' resolved)
 */
record AliasTarget(String region, String functionName, String alias, String version) {}
