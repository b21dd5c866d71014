package dev.lambdaop.api;

import java.util.ArrayList;

/** Builders of LambdaAlias deployments for tests (unit and end to end). */
public final class Deployments {
  private Deployments() {}

  /** A Steps deployment: an Integer is setWeight, a String a timed pause, null a pause until promoted. */
  public static LambdaAliasSpec.Deployment steps(Object... weightsAndPauses) {
    LambdaAliasSpec.Deployment d = new LambdaAliasSpec.Deployment();
    d.strategy = LambdaAliasSpec.Strategy.Steps;
    d.steps = new ArrayList<>();
    for (Object o : weightsAndPauses) {
      LambdaAliasSpec.Step s = new LambdaAliasSpec.Step();
      if (o instanceof Integer w) {
        s.setWeight = w;
      } else {
        s.pause = new LambdaAliasSpec.Pause();
        s.pause.duration = (String) o;
      }
      d.steps.add(s);
    }
    return d;
  }

  /** A hook on {@code function} with a timeout. */
  public static LambdaAliasSpec.Hook hook(String function, String timeout) {
    LambdaAliasSpec.Hook h = new LambdaAliasSpec.Hook();
    h.functionName = function;
    h.timeout = timeout;
    return h;
  }
}
