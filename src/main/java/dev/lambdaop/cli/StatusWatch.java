package dev.lambdaop.cli;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.cli.ShiftVerdict.Verdict;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code status --watch}: informers on the LambdaAlias and on the LambdaFunction it names, a redraw on every change
 * and every interval (the countdown), until {@link ShiftVerdict#judge} says the shift ended. On a terminal the frame
 * is redrawn in place; otherwise a frame is appended whenever either resource changes.
 */
final class StatusWatch {
  static final String HOME = "\u001b[H";
  static final String CLEAR_SCREEN = "\u001b[2J";
  static final String CLEAR_LINE = "\u001b[K";
  static final String CLEAR_BELOW = "\u001b[J";
  static final String HIDE_CURSOR = "\u001b[?25l";
  static final String SHOW_CURSOR = "\u001b[?25h";

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final Duration interval;
  private final Duration timeout;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean terminal;
  private final Style style;
  private final Clock clock;

  StatusWatch(KubernetesClient client, String namespace, String name, Duration interval, Duration timeout,
      PrintStream out, PrintStream err, boolean terminal, Style style, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.interval = interval;
    this.timeout = timeout;
    this.out = out;
    this.err = err;
    this.terminal = terminal;
    this.style = style;
    this.clock = clock;
  }

  int run() throws InterruptedException {
    LambdaAlias initial = client.resources(LambdaAlias.class).inNamespace(namespace).withName(name).get();
    if (initial == null) {
      err.println(KubectlLambdaop.aliasNotFound(name, namespace));
      return ExitCode.NOT_FOUND;
    }
    BlockingQueue<Boolean> changes = new LinkedBlockingQueue<>();
    AtomicReference<LambdaAlias> alias = new AtomicReference<>(initial);
    AtomicBoolean aliasDeleted = new AtomicBoolean();
    AtomicReference<LambdaFunction> function = new AtomicReference<>();
    String functionName = initial.getSpec() == null || initial.getSpec().functionRef == null ? null
        : initial.getSpec().functionRef.name;
    SharedIndexInformer<LambdaFunction> functionInformer = null;
    SharedIndexInformer<LambdaAlias> aliasInformer = null;
    Thread restoreCursor = null;
    try {
      function.set(KubectlLambdaop.functionOf(client, initial));
      if (functionName != null && function.get() != null) {
        try {
          functionInformer = client.resources(LambdaFunction.class).inNamespace(namespace).withName(functionName)
              .inform(handler(function, new AtomicBoolean(), changes), 0);
        } catch (KubernetesClientException e) {
          if (e.getCode() != 403) {
            throw e;
          }
          function.set(null); // may read but not watch it: do without
        }
      }
      aliasInformer = client.resources(LambdaAlias.class).inNamespace(namespace).withName(name)
          .inform(handler(alias, aliasDeleted, changes), 0);
      if (terminal) {
        restoreCursor = new Thread(() -> {
          out.print(SHOW_CURSOR);
          out.flush();
        }, "restore-cursor");
        Runtime.getRuntime().addShutdownHook(restoreCursor);
        out.print(HIDE_CURSOR + CLEAR_SCREEN);
      }
      Instant deadline = timeout == null ? null : clock.instant().plus(timeout);
      String printed = null;
      while (true) {
        LambdaAlias current = alias.get();
        LambdaFunction fn = function.get();
        Instant now = clock.instant();
        if (current == null || aliasDeleted.get()) {
          out.flush();
          err.println("LambdaAlias " + name + " was deleted from namespace " + namespace);
          return ExitCode.NOT_FOUND;
        }
        String frame = StatusView.render(current, fn, now, style);
        if (!aliasInformer.isWatching()) {
          frame += style.yellow("(watch interrupted: reconnecting)") + "\n";
        }
        if (terminal) {
          out.print(HOME + frame.replace("\n", CLEAR_LINE + "\n") + CLEAR_BELOW);
        } else {
          String key = version(current) + "/" + version(fn);
          if (!key.equals(printed)) {
            out.print(style.dim("--- " + Times.dateClock(now)) + "\n" + frame);
            printed = key;
          }
        }
        Verdict verdict = ShiftVerdict.judge(current, fn);
        if (verdict != Verdict.RUNNING) {
          out.println(ShiftVerdict.summary(verdict, current, style));
          out.flush();
          return ShiftVerdict.exitCode(verdict);
        }
        if (deadline != null && !now.isBefore(deadline)) {
          out.println(style.yellow("timed out after " + Times.duration(timeout) + ": "
              + ShiftVerdict.summary(verdict, current, style)));
          out.flush();
          return ExitCode.TIMEOUT;
        }
        out.flush();
        Duration wait = deadline == null || Duration.between(now, deadline).compareTo(interval) > 0 ? interval
            : Duration.between(now, deadline);
        if (changes.poll(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS) != null) {
          changes.clear();
        }
      }
    } finally {
      if (aliasInformer != null) {
        aliasInformer.close();
      }
      if (functionInformer != null) {
        functionInformer.close();
      }
      if (terminal) {
        out.print(SHOW_CURSOR);
        out.flush();
        if (restoreCursor != null) {
          try {
            Runtime.getRuntime().removeShutdownHook(restoreCursor);
          } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
          }
        }
      }
    }
  }

  private static String version(HasMetadata resource) {
    return resource == null ? "-" : resource.getMetadata().getResourceVersion();
  }

  private static <T> ResourceEventHandler<T> handler(AtomicReference<T> latest, AtomicBoolean deleted,
      BlockingQueue<Boolean> changes) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T resource) {
        latest.set(resource);
        deleted.set(false);
        changes.offer(Boolean.TRUE);
      }

      @Override
      public void onUpdate(T before, T after) {
        latest.set(after);
        changes.offer(Boolean.TRUE);
      }

      @Override
      public void onDelete(T resource, boolean finalStateUnknown) {
        latest.set(null);
        deleted.set(true);
        changes.offer(Boolean.TRUE);
      }
    };
  }
}
