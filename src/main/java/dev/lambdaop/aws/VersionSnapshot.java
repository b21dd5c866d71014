package dev.lambdaop.aws;

/** One published version of a function. */
public record VersionSnapshot(String version, String codeSha256, String description, String lastModified) {}
