package dev.lambdaop.aws;

/**
 * A function as GetFunction reports it: state, the configuration of $LATEST in the operator's own terms (so it can
 * be compared with the desired one), the image URI for container functions, and the tags.
 */
public record ObservedFunction(FunctionSnapshot snapshot, FunctionConfig config, String imageUri) {}
