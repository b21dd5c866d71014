package dev.lambdaop.cli;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.cli.AliasActions.Action;
import dev.lambdaop.cli.CliArgs.Invocation;
import dev.lambdaop.cli.CliArgs.UsageException;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * {@code kubectl lambdaop}: the kubectl plugin of lambda-operator. {@code bin/kubectl-lambdaop} runs it from the
 * operator's jar. Reads and patches LambdaAliases and LambdaFunctions with the user's kubeconfig; talks to nothing
 * else.
 */
public final class KubectlLambdaop {
  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;
  private final boolean terminal;

  KubectlLambdaop(PrintStream out, PrintStream err, Map<String, String> env, boolean terminal) {
    this.out = out;
    this.err = err;
    this.env = env;
    this.terminal = terminal;
  }

  public static void main(String[] args) {
    CliLogging.toStandardError();
    PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
        false, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    int code;
    try {
      code = new KubectlLambdaop(out, err, System.getenv(), System.console() != null).run(args);
    } finally {
      out.flush();
    }
    System.exit(code);
  }

  int run(String... args) {
    Invocation invocation;
    try {
      invocation = CliArgs.parse(args);
    } catch (UsageException e) {
      err.println("error: " + e.getMessage());
      err.println();
      err.print(CliArgs.USAGE);
      return ExitCode.USAGE;
    }
    if (invocation.help()) {
      out.print(CliArgs.USAGE);
      return ExitCode.OK;
    }
    boolean color = terminal && env.get("NO_COLOR") == null && !"dumb".equals(env.get("TERM"));
    Style style = new Style(color, !invocation.ascii());
    Config config;
    try {
      config = config(invocation);
    } catch (UsageException e) {
      err.println("error: " + e.getMessage());
      return ExitCode.USAGE;
    }
    String namespace = namespace(invocation, config);
    String server = config.getMasterUrl();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      return switch (invocation.command()) {
        case "status" -> invocation.watch()
            ? new StatusWatch(client, namespace, invocation.name(), invocation.interval(), invocation.timeout(), out,
                err, terminal, style, Clock.systemUTC()).run()
            : status(client, namespace, invocation.name(), style);
        case "versions" -> versions(client, namespace, invocation.name(), style);
        case "promote" -> act(client, namespace, invocation.name(), invocation.full() ? Action.PROMOTE_FULL
            : Action.PROMOTE);
        case "abort" -> act(client, namespace, invocation.name(), Action.ABORT);
        case "retry" -> act(client, namespace, invocation.name(), Action.RETRY);
        case "pause" -> act(client, namespace, invocation.name(), Action.PAUSE);
        case "resume" -> act(client, namespace, invocation.name(), Action.RESUME);
        default -> throw new IllegalStateException(invocation.command());
      };
    } catch (KubernetesClientException e) {
      err.println("error: " + describe(e) + (server == null ? "" : " (API server " + server + ")"));
      debug(e);
      return ExitCode.API_ERROR;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCode.API_ERROR;
    } catch (RuntimeException e) {
      err.println("error: " + e);
      debug(e);
      return ExitCode.API_ERROR;
    }
  }

  /** The kubeconfig's settings: --kubeconfig or $KUBECONFIG or ~/.kube/config, --context or the current one. */
  static Config config(Invocation invocation) {
    Config config;
    if (invocation.kubeconfig() != null) {
      File file = new File(invocation.kubeconfig());
      if (!file.isFile()) {
        throw new UsageException("--kubeconfig " + file + ": no such file");
      }
      config = Config.fromKubeconfig(invocation.context(), file);
    } else {
      config = Config.autoConfigure(invocation.context());
    }
    String context = invocation.context();
    if (context != null && (config.getContexts() == null
        || config.getContexts().stream().noneMatch(c -> context.equals(c.getName())))) {
      throw new UsageException("--context " + context + ": no such context in the kubeconfig"
          + (config.getContexts() == null || config.getContexts().isEmpty() ? ""
              : " (it has " + String.join(", ", config.getContexts().stream().map(c -> c.getName()).sorted().toList()) + ")"));
    }
    // a command line tool: say what is wrong soon rather than retrying for a minute
    config.setRequestRetryBackoffLimit(2);
    return config;
  }

  /** -n, else the namespace of the kubeconfig's context, else default. */
  static String namespace(Invocation invocation, Config config) {
    if (invocation.namespace() != null) {
      return invocation.namespace();
    }
    return config.getNamespace() != null && !config.getNamespace().isBlank() ? config.getNamespace() : "default";
  }

  private int status(KubernetesClient client, String namespace, String name, Style style) {
    LambdaAlias alias = client.resources(LambdaAlias.class).inNamespace(namespace).withName(name).get();
    if (alias == null) {
      err.println(aliasNotFound(name, namespace));
      return ExitCode.NOT_FOUND;
    }
    LambdaFunction function = functionOf(client, alias);
    out.print(StatusView.render(alias, function, mappingsOf(client, alias), Clock.systemUTC().instant(), style));
    return ShiftVerdict.exitCode(alias);
  }

  /**
   * The EventSourceMappings of the alias's namespace that target it; none when the user may not list them (the
   * alias's status is what they asked for) or the kind is not installed.
   */
  static java.util.List<dev.lambdaop.api.EventSourceMapping> mappingsOf(KubernetesClient client, LambdaAlias alias) {
    try {
      return client.resources(dev.lambdaop.api.EventSourceMapping.class)
          .inNamespace(alias.getMetadata().getNamespace()).list().getItems().stream()
          .filter(m -> StatusView.targets(m, alias))
          .sorted(java.util.Comparator.comparing(m -> m.getMetadata().getName()))
          .toList();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      return java.util.List.of();
    }
  }

  private int versions(KubernetesClient client, String namespace, String name, Style style) {
    LambdaFunction function = client.resources(LambdaFunction.class).inNamespace(namespace).withName(name).get();
    if (function == null) {
      err.println("error: LambdaFunction " + name + " not found in namespace " + namespace
          + " (kubectl get lfn -n " + namespace + " lists them)");
      return ExitCode.NOT_FOUND;
    }
    List<LambdaAlias> aliases = client.resources(LambdaAlias.class).inNamespace(namespace).list().getItems();
    out.print(VersionsView.render(function, aliases, style));
    return ExitCode.OK;
  }

  private int act(KubernetesClient client, String namespace, String name, Action action) {
    Resource<LambdaAlias> resource = client.resources(LambdaAlias.class).inNamespace(namespace).withName(name);
    LambdaAlias alias = resource.get();
    if (alias == null) {
      err.println(aliasNotFound(name, namespace));
      return ExitCode.NOT_FOUND;
    }
    AliasActions.Outcome outcome = AliasActions.decide(action, alias);
    if (outcome instanceof AliasActions.Refusal refusal) {
      err.println("refused: " + refusal.message());
      return ExitCode.FAILED;
    }
    AliasActions.Patch patch = (AliasActions.Patch) outcome;
    PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
    if (patch.statusSubresource()) {
      resource.subresource("status").patch(merge, patch.json());
    } else {
      resource.patch(merge, patch.json());
    }
    out.println(patch.confirmation());
    return ExitCode.OK;
  }

  /** LAMBDAOP_CLI_DEBUG=1 prints the stack trace of an error. */
  private void debug(Throwable e) {
    if (env.get("LAMBDAOP_CLI_DEBUG") != null) {
      e.printStackTrace(err);
    }
  }

  /**
   * The LambdaFunction of the alias's spec.functionRef, or null: none named, none there, or not readable (RBAC that
   * grants LambdaAliases only); the views and verdicts then do without it.
   */
  static LambdaFunction functionOf(KubernetesClient client, LambdaAlias alias) {
    if (alias.getSpec() == null || alias.getSpec().functionRef == null) {
      return null;
    }
    try {
      return client.resources(LambdaFunction.class).inNamespace(alias.getMetadata().getNamespace())
          .withName(alias.getSpec().functionRef.name).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        return null;
      }
      throw e;
    }
  }

  static String aliasNotFound(String name, String namespace) {
    return "error: LambdaAlias " + name + " not found in namespace " + namespace + " (kubectl get lal -n "
        + namespace + " lists them)";
  }

  /** The exception's message and, when the server gave no answer, the root cause (unreachable, TLS, ...). */
  static String describe(KubernetesClientException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage().strip();
    if (e.getStatus() != null) {
      return message;
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (message.endsWith(".")) {
      message = message.substring(0, message.length() - 1);
    }
    return root == e ? message : message + ": " + root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : " " + root.getMessage());
  }
}
