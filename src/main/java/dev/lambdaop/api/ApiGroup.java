package dev.lambdaop.api;

/** The API group and version shared by the three custom resources. */
public final class ApiGroup {
  public static final String GROUP = "lambdaop.dev";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  private ApiGroup() {}
}
