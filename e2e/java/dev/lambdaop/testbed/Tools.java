package dev.lambdaop.testbed;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Command-line tools that testbed/install.sh builds beside the test bed, found by the versions the project's files
 * name: {@code <cache>/bin/helm-<version>/helm} (testbed/go/helm/go.mod). Argo CD's Lua runtime (argocd-lua) is found
 * by {@code dev.lambdaop.e2e.ArgoCdLua.harness()}.
 */
public final class Tools {
  private Tools() {}

  public static Path helm() {
    return locate("helm", "testbed/go/helm/go.mod", "helm.sh/helm/v3");
  }

  private static Path locate(String name, String goMod, String module) {
    Path project = LocalTestbed.projectDirectory();
    String version = LocalTestbed.Binaries.goModRequirement(project.resolve(goMod), module);
    Path binary = LocalTestbed.cacheDirectory().resolve("bin/" + name + "-" + version + "/" + name);
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(binary + " is missing: run " + project.resolve("testbed/install.sh"));
    }
    return binary;
  }
}
