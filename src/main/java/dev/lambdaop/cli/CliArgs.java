package dev.lambdaop.cli;

import dev.lambdaop.api.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The command line of {@code kubectl lambdaop}: a command, its one argument and options, in any order. */
public final class CliArgs {
  public static final Set<String> COMMANDS =
      Set.of("status", "promote", "abort", "retry", "pause", "resume", "versions");

  private CliArgs() {}

  /**
   * What the user asked for.
   *
   * @param command one of {@link #COMMANDS}, or "help"
   * @param name the LambdaAlias (or, for versions, LambdaFunction) name
   * @param namespace -n/--namespace, or null: the kubeconfig context's, else default
   * @param context --context, or null: the current context
   * @param kubeconfig --kubeconfig, or null: $KUBECONFIG, else ~/.kube/config
   * @param watch status --watch
   * @param interval status --watch: how often to redraw
   * @param timeout status --watch: give up after this long, or null
   * @param full promote --full
   * @param ascii --ascii: ASCII characters only
   */
  public record Invocation(String command, String name, String namespace, String context, String kubeconfig,
      boolean watch, Duration interval, Duration timeout, boolean full, boolean ascii) {
    public boolean help() {
      return "help".equals(command);
    }
  }

  /** The command line cannot be understood; the message says why. */
  public static final class UsageException extends RuntimeException {
    public UsageException(String message) {
      super(message);
    }
  }

  public static Invocation parse(String... args) {
    List<String> positional = new ArrayList<>();
    String namespace = null;
    String context = null;
    String kubeconfig = null;
    boolean watch = false;
    Duration interval = null;
    Duration timeout = null;
    boolean full = false;
    boolean ascii = false;
    boolean help = false;
    boolean optionsEnded = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
        positional.add(arg);
        continue;
      }
      String option = arg;
      String inline = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        option = arg.substring(0, eq);
        inline = arg.substring(eq + 1);
      } else if (arg.startsWith("-n") && arg.length() > 2 && !arg.startsWith("--")) {
        option = "-n";
        inline = arg.substring(2);
      }
      switch (option) {
        case "--" -> optionsEnded = true;
        case "-h", "--help" -> help = true;
        case "-n", "--namespace" -> {
          namespace = value(option, inline, args, i);
          i += inline == null ? 1 : 0;
        }
        case "--context" -> {
          context = value(option, inline, args, i);
          i += inline == null ? 1 : 0;
        }
        case "--kubeconfig" -> {
          kubeconfig = value(option, inline, args, i);
          i += inline == null ? 1 : 0;
        }
        case "-w", "--watch" -> watch = flag(option, inline);
        case "--full" -> full = flag(option, inline);
        case "--ascii" -> ascii = flag(option, inline);
        case "--interval" -> {
          interval = duration(option, value(option, inline, args, i));
          i += inline == null ? 1 : 0;
        }
        case "--timeout" -> {
          timeout = duration(option, value(option, inline, args, i));
          i += inline == null ? 1 : 0;
        }
        default -> throw new UsageException("unknown option " + arg);
      }
    }
    if (help || (!positional.isEmpty() && positional.get(0).equals("help"))) {
      return new Invocation("help", null, namespace, context, kubeconfig, false, null, null, false, ascii);
    }
    if (positional.isEmpty()) {
      throw new UsageException("no command given");
    }
    String command = positional.get(0);
    if (!COMMANDS.contains(command)) {
      throw new UsageException("unknown command '" + command + "'");
    }
    String what = command.equals("versions") ? "FUNCTION (a LambdaFunction)" : "ALIAS (a LambdaAlias)";
    if (positional.size() < 2) {
      throw new UsageException(command + " needs " + what);
    }
    if (positional.size() > 2) {
      throw new UsageException(command + " takes one " + what + ", not " + positional.subList(1, positional.size()));
    }
    boolean status = command.equals("status");
    if (!status && (watch || interval != null || timeout != null)) {
      throw new UsageException("--watch, --interval and --timeout go with status only");
    }
    if (status && !watch && (interval != null || timeout != null)) {
      throw new UsageException("--interval and --timeout need --watch");
    }
    if (full && !command.equals("promote")) {
      throw new UsageException("--full goes with promote only");
    }
    if (interval != null && interval.toMillis() < 100) {
      throw new UsageException("--interval must be at least 100ms");
    }
    return new Invocation(command, positional.get(1), namespace, context, kubeconfig, watch,
        interval == null ? Duration.ofSeconds(1) : interval, timeout, full, ascii);
  }

  private static String value(String option, String inline, String[] args, int i) {
    String value = inline != null ? inline : i + 1 < args.length ? args[i + 1] : null;
    if (value == null || value.isEmpty() || (inline == null && value.startsWith("-"))) {
      throw new UsageException(option + " needs a value");
    }
    return value;
  }

  private static boolean flag(String option, String inline) {
    if (inline == null || inline.equals("true")) {
      return true;
    }
    if (inline.equals("false")) {
      return false;
    }
    throw new UsageException(option + " takes no value (or =true, =false)");
  }

  private static Duration duration(String option, String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException(option + ": " + e.getMessage());
    }
  }

  public static final String USAGE = """
      kubectl lambdaop: follow and steer lambda-operator's traffic shifts

      Usage:
        kubectl lambdaop status ALIAS [--watch] [--interval 1s] [--timeout 30m]
        kubectl lambdaop promote ALIAS [--full]
        kubectl lambdaop abort ALIAS
        kubectl lambdaop retry ALIAS
        kubectl lambdaop pause ALIAS
        kubectl lambdaop resume ALIAS
        kubectl lambdaop versions FUNCTION

      ALIAS is a LambdaAlias (kubectl get lal), FUNCTION a LambdaFunction (kubectl get lfn).

      Commands:
        status    The alias's shift: phase, message, a bar of the new version's weight, the current step and
                  the time to the next one, hooks, rollback settings, pauses, what reaches the alias (function
                  URL, permissions, async settings, provisioned concurrency, EventSourceMappings), conditions
                  and history.
                  --watch, -w   redraw on every change (and every --interval, default 1s) until the shift
                                ends: exit 0 once the new version is promoted, 1 if the shift was rolled
                                back or aborted. A watch started right after a code change waits for the
                                LambdaFunction to publish the new version and the shift to start.
                  --timeout D   give up after D (for example 10m): exit 5
        promote   End the current pause and go on with the next step (sets status.promote).
                  --full        send 100% of traffic to the new version now (sets status.promoteFull)
        abort     Send all traffic back to the stable version now; phase Degraded (sets status.abort).
        retry     Restart a rolled-back or aborted shift from its first step (clears status.abort).
        pause     Hold the shift at its weight (sets spec.paused; a GitOps tool shows it as a change).
        resume    Go on with the time the step had left (spec.paused=false).
        versions  The function's published versions, and which aliases route to each with what weight.

      Options:
        -n, --namespace NS    namespace (default: the kubeconfig context's namespace, else default)
            --context NAME    kubeconfig context (default: the current context)
            --kubeconfig FILE kubeconfig (default: $KUBECONFIG, else ~/.kube/config)
            --ascii           draw with ASCII characters only
        -h, --help            this text

      Exit codes:
        0  status: Healthy, Progressing or Paused; status --watch: promoted; an action was applied
        1  status: Degraded (rolled back or aborted); status --watch: the shift was rolled back or aborted;
           an action was refused because it makes no sense now (the message says why)
        2  the command line is wrong
        3  the LambdaAlias or LambdaFunction does not exist
        4  the Kubernetes API server could not be reached or refused the request
        5  status --watch: --timeout elapsed before the shift ended
      """;
}
