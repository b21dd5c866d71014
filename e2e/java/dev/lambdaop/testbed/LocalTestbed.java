package dev.lambdaop.testbed;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The offline test bed: etcd, kube-apiserver and moto's server started as child processes on
 * 127.0.0.1, on free ports, with certificates and keys generated for this run in a temporary
 * directory (which also holds the processes' logs). {@link #close()} (or, failing that, a JVM
 * shutdown hook) stops the processes and deletes the directory; a later start also cleans up
 * after a JVM that was killed before it could.
 *
 * <p>The binaries are the ones {@code testbed/install.sh} installs; see {@link Binaries}.
 *
 * <p>Only an API server runs: no controller manager, scheduler or kubelet. So Pods never run,
 * namespaces that are deleted stay {@code Terminating}, owner references are not garbage
 * collected, and no {@code default} ServiceAccount is created in new namespaces.
 */
public final class LocalTestbed implements Testbed {

  private static final Logger LOG = LoggerFactory.getLogger(LocalTestbed.class);

  /** System property: keep the run's directory (logs, etcd data) after {@link #close()}. */
  public static final String KEEP_PROPERTY = "lambdaop.testbed.keep";
  public static final String REGION = "us-east-1";
  public static final String ADMIN_USER = "lambdaop-admin";
  public static final String SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

  private static final String DIRECTORY_PREFIX = "lambdaop-testbed-";
  private static final String OWNER_FILE = "owner.pid";
  private static final String PROCESSES_FILE = "processes";
  private static final InetAddress LOOPBACK = loopback();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final int ATTEMPTS = 3;
  private static final int LOG_LINES = 40;

  /**
   * Where {@code testbed/install.sh} puts the binaries, by the versions that the project's
   * files name: {@code <cache>/bin/k8s-<version>/kube-apiserver} and
   * {@code <cache>/bin/etcd-<version>/etcd} for the versions required by
   * {@code testbed/go/kube-apiserver/go.mod} and {@code testbed/go/etcd/go.mod}, and
   * {@code <cache>/moto-<version>/bin/moto_server} for the moto version pinned by
   * {@code testbed/requirements-moto.txt}. {@code <cache>} is {@code $LAMBDAOP_CACHE} or
   * {@code ~/.cache/lambda-operator}.
   */
  public record Binaries(Path kubeApiserver, Path etcd, Path motoServer) {

    private static final Pattern MOTO_PIN = Pattern.compile("(?m)^moto(\\[[^]]*])?==([^\\s;#]+)");

    /** Locates the binaries for {@link #projectDirectory()} in {@link #cacheDirectory()}. */
    public static Binaries locate() {
      return locate(projectDirectory(), cacheDirectory());
    }

    public static Binaries locate(Path projectDirectory, Path cacheDirectory) {
      Path testbed = projectDirectory.resolve("testbed");
      String k8s = goModRequirement(testbed.resolve("go/kube-apiserver/go.mod"), "k8s.io/kubernetes");
      String etcd = goModRequirement(testbed.resolve("go/etcd/go.mod"), "go.etcd.io/etcd/server/v3");
      Path requirements = testbed.resolve("requirements-moto.txt");
      Matcher moto = MOTO_PIN.matcher(read(requirements));
      if (!moto.find()) {
        throw new IllegalStateException("no moto==<version> line in " + requirements);
      }
      Path venv = cacheDirectory.resolve("moto-" + moto.group(2));
      Binaries binaries = new Binaries(
          cacheDirectory.resolve("bin/k8s-" + k8s + "/kube-apiserver"),
          cacheDirectory.resolve("bin/etcd-" + etcd + "/etcd"),
          venv.resolve("bin/moto_server"));
      List<String> missing = new ArrayList<>();
      for (Path binary : List.of(binaries.kubeApiserver, binaries.etcd, binaries.motoServer)) {
        if (!Files.isExecutable(binary)) {
          missing.add(binary.toString());
        }
      }
      if (missing.isEmpty() && !Files.exists(venv.resolve(".lambdaop-requirements.sha256"))) {
        missing.add(venv + " (incomplete installation)");
      }
      if (!missing.isEmpty()) {
        throw new IllegalStateException("The local test bed is not installed: missing " + missing
            + ". Run " + testbed.resolve("install.sh") + " (it builds kube-apiserver and etcd with Go"
            + " and installs moto with pip, into " + cacheDirectory + "), or choose another test bed"
            + " with -D" + PROPERTY + "=k3s|kubeconfig.");
      }
      return binaries;
    }

    /** The version of {@code module} that a go.mod requires (replace directives ignored). */
    static String goModRequirement(Path goMod, String module) {
      for (String line : read(goMod).split("\n")) {
        if (line.contains("=>")) {
          continue;
        }
        String[] words = line.trim().split("\\s+");
        if (words.length >= 3 && words[0].equals("require") && words[1].equals(module)) {
          return words[2];
        }
        if (words.length >= 2 && words[0].equals(module)) {
          return words[1];
        }
      }
      throw new IllegalStateException(goMod + " does not require " + module);
    }

    private static String read(Path file) {
      try {
        return Files.readString(file);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + file + " (is " + PROJECT_DIR_PROPERTY
            + " the project directory?)", e);
      }
    }
  }

  static final String PROJECT_DIR_PROPERTY = "lambdaop.projectDir";

  /** {@code $LAMBDAOP_CACHE}, or {@code ~/.cache/lambda-operator}. */
  public static Path cacheDirectory() {
    String cache = System.getenv("LAMBDAOP_CACHE");
    return cache != null && !cache.isBlank()
        ? Paths.get(cache)
        : Paths.get(System.getProperty("user.home"), ".cache", "lambda-operator");
  }

  /** System property {@code lambdaop.projectDir}, or the current directory. */
  public static Path projectDirectory() {
    return Paths.get(System.getProperty(PROJECT_DIR_PROPERTY, System.getProperty("user.dir")))
        .toAbsolutePath();
  }

  private final Binaries binaries;
  private final Path directory;
  private final Path pki;
  private final Deque<Child> children = new ArrayDeque<>();
  private final Thread shutdownHook;
  private final HttpClient plainHttp = HttpClient.newBuilder()
      .proxy(HttpClient.Builder.NO_PROXY)
      .connectTimeout(Duration.ofSeconds(2))
      .build();
  private boolean closed;
  private boolean startFailed;

  private URI etcdEndpoint;
  private URI apiServerUrl;
  private URI awsEndpoint;
  private Path kubeconfig;
  private KubernetesClient kubernetesClient;

  private LocalTestbed(Binaries binaries) {
    this.binaries = binaries;
    reapAbandonedRuns();
    try {
      directory = Files.createTempDirectory(DIRECTORY_PREFIX);
      pki = Files.createDirectory(directory.resolve("pki"),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Files.writeString(directory.resolve(OWNER_FILE), ProcessHandle.current().pid() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the test bed's directory", e);
    }
    shutdownHook = new Thread(this::close, "lambdaop-testbed-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts the test bed from the installed binaries ({@link Binaries#locate()}). */
  public static LocalTestbed start() {
    return start(Binaries.locate());
  }

  public static LocalTestbed start(Binaries binaries) {
    Instant begin = Instant.now();
    LocalTestbed testbed = new LocalTestbed(binaries);
    try {
      testbed.startAll();
    } catch (RuntimeException | Error e) {
      testbed.startFailed = true;
      testbed.close();
      throw e;
    }
    LOG.info("Local test bed up in {} ms: kube-apiserver {}, etcd {}, moto {}; kubeconfig {}; logs in {}",
        Duration.between(begin, Instant.now()).toMillis(), testbed.apiServerUrl, testbed.etcdEndpoint,
        testbed.awsEndpoint, testbed.kubeconfig, testbed.directory);
    return testbed;
  }

  // ---- Testbed ---------------------------------------------------------------------------

  @Override
  public KubernetesClient kubernetesClient() {
    return kubernetesClient;
  }

  @Override
  public String kubeconfigPath() {
    return kubeconfig.toString();
  }

  @Override
  public URI awsEndpoint() {
    return awsEndpoint;
  }

  @Override
  public String awsRegion() {
    return REGION;
  }

  @Override
  public AwsCredentialsProvider awsCredentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
  }

  /** The API server, {@code https://127.0.0.1:<port>}. */
  public URI apiServerUrl() {
    return apiServerUrl;
  }

  /** etcd's client endpoint, {@code http://127.0.0.1:<port>}. */
  public URI etcdEndpoint() {
    return etcdEndpoint;
  }

  /** This run's directory: logs ({@code *.log}), kubeconfig, keys and etcd's data. */
  public Path directory() {
    return directory;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (kubernetesClient != null) {
      kubernetesClient.close();
    }
    while (!children.isEmpty()) {
      children.removeLast().stop();
    }
    if (Boolean.getBoolean(KEEP_PROPERTY)) {
      LOG.info("Test bed stopped; its directory is kept: {}", directory);
    } else if (startFailed) {
      // the logs explain the failure: keep them, drop the rest
      deleteRecursively(directory.resolve("etcd-data"));
      deleteRecursively(pki);
    } else {
      deleteRecursively(directory);
    }
    if (Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to; close() is idempotent
      }
    }
  }

  // ---- start -----------------------------------------------------------------------------

  private void startAll() {
    // moto spends seconds importing Python and etcd needs no keys: launch both first, and
    // make the keys while they start
    Component moto = motoComponent().launch();
    Component etcd = etcdComponent().launch();

    Pki.Issued ca = Pki.certificateAuthority("lambdaop-testbed-ca", Duration.ofDays(7));
    Pki.Issued serving = Pki.serverCertificate(ca, "kube-apiserver",
        List.of("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
            "kubernetes.default.svc.cluster.local"),
        List.of(LOOPBACK, address(10, 0, 0, 1)), Duration.ofDays(7));
    Pki.Issued admin = Pki.clientCertificate(ca, ADMIN_USER, "system:masters", Duration.ofDays(7));
    var serviceAccountKeys = Pki.rsaKeyPair();
    write(pki.resolve("ca.crt"), ca.certificatePem());
    write(pki.resolve("apiserver.crt"), serving.certificatePem());
    write(pki.resolve("apiserver.key"), serving.keyPem());
    write(pki.resolve("sa.key"), Pki.privateKeyPem(serviceAccountKeys.getPrivate()));
    write(pki.resolve("sa.pub"), Pki.publicKeyPem(serviceAccountKeys.getPublic()));

    etcdEndpoint = URI.create("http://127.0.0.1:" + etcd.awaitReady()[0]);
    Component apiServer = apiServerComponent(ca, admin).launch();
    apiServerUrl = URI.create("https://127.0.0.1:" + apiServer.awaitReady()[0]);
    connectKubernetesClient(ca, admin);
    awsEndpoint = URI.create("http://127.0.0.1:" + moto.awaitReady()[0]);
    verifyMotoConfiguration();
  }

  private Component etcdComponent() {
    Path data = directory.resolve("etcd-data");
    return new Component("etcd", 2, p -> List.of(
        binaries.etcd().toString(),
        "--name=testbed",
        "--data-dir=" + data,
        "--listen-client-urls=http://127.0.0.1:" + p[0],
        "--advertise-client-urls=http://127.0.0.1:" + p[0],
        "--listen-peer-urls=http://127.0.0.1:" + p[1],
        "--initial-advertise-peer-urls=http://127.0.0.1:" + p[1],
        "--initial-cluster=testbed=http://127.0.0.1:" + p[1],
        "--initial-cluster-state=new",
        "--unsafe-no-fsync=true",
        "--log-level=warn"),
        Map.of(),
        p -> {
          HttpResponse<String> health = plainHttp.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p[0] + "/health"))
                  .timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.ofString());
          return health.statusCode() == 200 && health.body().contains("\"health\":\"true\"");
        },
        () -> deleteRecursively(data));
  }

  @Override
  public java.util.Optional<Path> auditLog() {
    return java.util.Optional.of(directory.resolve("audit.log"));
  }

  /** Requests by ServiceAccounts, at Metadata level (who, verb, resource, response code); nothing else. */
  private Path writeAuditPolicy() {
    Path policy = directory.resolve("audit-policy.yaml");
    try {
      Files.writeString(policy, String.join("\n",
          "apiVersion: audit.k8s.io/v1",
          "kind: Policy",
          "omitStages: [RequestReceived]",
          "rules:",
          "  - level: Metadata",
          "    userGroups: [\"system:serviceaccounts\"]",
          "  - level: None",
          ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return policy;
  }

  private Component apiServerComponent(Pki.Issued ca, Pki.Issued admin) {
    HttpClient tls = HttpClient.newBuilder()
        .proxy(HttpClient.Builder.NO_PROXY)
        .connectTimeout(Duration.ofSeconds(2))
        .sslContext(sslContext(ca, admin))
        .build();
    return new Component("kube-apiserver", 1, p -> List.of(
        binaries.kubeApiserver().toString(),
        "--etcd-servers=" + etcdEndpoint,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        "--secure-port=" + p[0],
        "--tls-cert-file=" + pki.resolve("apiserver.crt"),
        "--tls-private-key-file=" + pki.resolve("apiserver.key"),
        "--cert-dir=" + directory.resolve("apiserver-certs"),
        "--client-ca-file=" + pki.resolve("ca.crt"),
        "--authorization-mode=RBAC",
        "--service-account-issuer=" + SERVICE_ACCOUNT_ISSUER,
        "--service-account-key-file=" + pki.resolve("sa.pub"),
        "--service-account-signing-key-file=" + pki.resolve("sa.key"),
        "--service-cluster-ip-range=10.0.0.0/24",
        // no controller manager creates the "default" ServiceAccount that this plugin requires of Pods
        "--disable-admission-plugins=ServiceAccount",
        // the "kubernetes" Service's endpoints would be 127.0.0.1, which endpoints may not hold
        "--endpoint-reconciler-type=none",
        "--allow-privileged=true",
        // what ServiceAccounts do (the operator runs as one): the least-privilege test reads it
        "--audit-policy-file=" + writeAuditPolicy(),
        "--audit-log-path=" + directory.resolve("audit.log"),
        "--audit-log-format=json",
        "--audit-log-maxbackup=0",
        "--profiling=false"),
        Map.of(),
        p -> {
          HttpResponse<String> ready = tls.send(
              HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + p[0] + "/readyz"))
                  .timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
          return ready.statusCode() == 200;
        },
        () -> { });
  }

  private void connectKubernetesClient(Pki.Issued ca, Pki.Issued admin) {
    kubeconfig = directory.resolve("kubeconfig");
    write(kubeconfig, kubeconfigYaml(ca, admin));
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl(apiServerUrl.toString())
        .withCaCertData(base64(ca.certificatePem()))
        .withClientCertData(base64(admin.certificatePem()))
        .withClientKeyData(base64(admin.keyPem()))
        .withClientKeyAlgo("RSA")
        .withNamespace("default")
        .withNoProxy("127.0.0.1", "localhost")
        .build();
    kubernetesClient = Testbed.newKubernetesClient(config);
    // /readyz does not wait for the bootstrap controller's namespaces
    awaitCondition("the 'default' namespace", Duration.ofSeconds(30),
        () -> kubernetesClient.namespaces().withName("default").get() != null);
  }

  private Component motoComponent() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PYTHONUNBUFFERED", "1");
    // enforce Lambda's account concurrency quota (and its 100 unreserved minimum), as AWS does
    env.put("MOTO_LAMBDA_CONCURRENCY_QUOTA",
        Optional.ofNullable(System.getenv("MOTO_LAMBDA_CONCURRENCY_QUOTA")).orElse("1000"));
    return new Component("moto", 1, p -> List.of(
        binaries.motoServer().toString(), "-H", "127.0.0.1", "-p", Integer.toString(p[0])),
        env,
        p -> {
          // Lambda without Docker. This must precede the first Lambda request: it
          // selects another Lambda backend.
          HttpResponse<String> configured = plainHttp.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p[0] + "/moto-api/config"))
                  .timeout(Duration.ofSeconds(5))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"lambda\":{\"use_docker\":false}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
          return configured.statusCode() / 100 == 2;
        },
        () -> { });
  }

  private void verifyMotoConfiguration() {
    try {
      String config = plainHttp.send(HttpRequest.newBuilder(awsEndpoint.resolve("/moto-api/config")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      if (!config.replace(" ", "").contains("\"lambda\":{\"use_docker\":false}")) {
        throw new IllegalStateException("moto did not switch Lambda's Docker use off: " + config);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---- processes -------------------------------------------------------------------------

  @FunctionalInterface
  private interface Probe {
    boolean ready(int[] ports) throws Exception;
  }

  @FunctionalInterface
  private interface CommandLine {
    List<String> build(int[] ports);
  }

  /**
   * A process started on fresh free ports, ready when its probe says so. A port taken by
   * somebody else between choosing it and the process binding it is retried on other ports.
   */
  private final class Component {
    private final String name;
    private final int portCount;
    private final CommandLine command;
    private final Map<String, String> env;
    private final Probe probe;
    private final Runnable cleanBeforeRetry;
    private int attempt;
    private int[] ports;
    private Child child;
    private Instant launched;

    Component(String name, int portCount, CommandLine command, Map<String, String> env, Probe probe,
        Runnable cleanBeforeRetry) {
      this.name = name;
      this.portCount = portCount;
      this.command = command;
      this.env = env;
      this.probe = probe;
      this.cleanBeforeRetry = cleanBeforeRetry;
    }

    Component launch() {
      attempt++;
      ports = new int[portCount];
      for (int i = 0; i < portCount; i++) {
        ports[i] = freePort();
      }
      launched = Instant.now();
      String logName = attempt == 1 ? name + ".log" : name + "-" + attempt + ".log";
      child = LocalTestbed.this.launch(name, command.build(ports), env, directory.resolve(logName));
      return this;
    }

    /** Waits until ready and returns the ports. */
    int[] awaitReady() {
      while (true) {
        try {
          LocalTestbed.this.awaitReady(child, ports, probe);
          LOG.debug("{} ready after {} ms", name, Duration.between(launched, Instant.now()).toMillis());
          return ports;
        } catch (StartFailure failure) {
          if (attempt >= ATTEMPTS || !failure.portConflict) {
            throw failure;
          }
          LOG.warn("{} lost a race for a port; retrying on other ports", name);
          synchronized (LocalTestbed.this) {
            children.remove(child);
          }
          child.stop();
          cleanBeforeRetry.run();
          launch();
        }
      }
    }
  }

  /** Synchronized with {@link #close()}: a process is either stopped by it or never started. */
  private synchronized Child launch(String name, List<String> command, Map<String, String> env, Path log) {
    if (closed) {
      throw new IllegalStateException("the test bed was closed while starting");
    }
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(directory.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    try {
      Files.writeString(log, "# " + String.join(" ", command) + "\n");
      Process process = builder.start();
      Child child = new Child(name, process, log);
      children.addLast(child);
      ProcessHandle handle = process.toHandle();
      Files.writeString(directory.resolve(PROCESSES_FILE),
          handle.pid() + " " + handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L) + " "
              + name + "\n",
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      return child;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command.get(0), e);
    }
  }

  private void awaitReady(Child child, int[] ports, Probe probe) {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    Exception lastProbeError = null;
    long pause = 50;
    while (true) {
      if (!child.process.isAlive()) {
        throw new StartFailure(child, "it exited with code " + child.process.exitValue());
      }
      try {
        if (probe.ready(ports)) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StartFailure(child, "interrupted");
      } catch (Exception e) {
        lastProbeError = e;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new StartFailure(child, "it was not ready within " + START_TIMEOUT.toSeconds() + " s"
            + (lastProbeError == null ? "" : " (last probe: " + lastProbeError + ")"));
      }
      pauseMillis(pause);
      pause = Math.min(pause * 2, 500);
    }
  }

  private static void awaitCondition(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(timeout);
    RuntimeException last = null;
    while (Instant.now().isBefore(deadline)) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      pauseMillis(200);
    }
    throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what, last);
  }

  /** Counted down when the JVM ends (Ctrl-C): a start-up wait ends at once then. */
  private static final java.util.concurrent.CountDownLatch JVM_ENDING = jvmEnding();

  private static java.util.concurrent.CountDownLatch jvmEnding() {
    java.util.concurrent.CountDownLatch ending = new java.util.concurrent.CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(ending::countDown, "testbed-start-stopping"));
    return ending;
  }

  /** Waits up to {@code millis} before the next look at a condition; at once when the JVM ends. */
  private static void pauseMillis(long millis) {
    try {
      if (JVM_ENDING.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("the JVM is ending: the test bed is not started");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the test bed", e);
    }
  }

  /** A started process and its log. */
  private static final class Child {
    final String name;
    final Process process;
    final Path log;

    Child(String name, Process process, Path log) {
      this.name = name;
      this.process = process;
      this.log = log;
    }

    void stop() {
      List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
      process.destroy();
      descendants.forEach(ProcessHandle::destroy);
      try {
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
          LOG.warn("{} did not stop within {} s; killing it", name, STOP_TIMEOUT.toSeconds());
          process.destroyForcibly();
          process.waitFor(STOP_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
  }

  /** A process that did not become ready, with the end of its log. */
  private static final class StartFailure extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    final boolean portConflict;

    StartFailure(Child child, String reason) {
      super(message(child, reason));
      String log = readQuietly(child.log);
      portConflict = log.contains("address already in use") || log.contains("Address already in use");
    }

    private static String message(Child child, String reason) {
      List<String> lines = readQuietly(child.log).lines().collect(Collectors.toList());
      String tail = String.join("\n    ", lines.subList(Math.max(0, lines.size() - LOG_LINES), lines.size()));
      return child.name + " did not start: " + reason + ".\n  Log: " + child.log + "\n  Last lines:\n    " + tail;
    }
  }

  /**
   * Stops the processes of earlier runs whose JVM died without closing its test bed (killed,
   * say), recognised by the JVM's pid and each process's pid and start time, and deletes their
   * directories.
   */
  private static void reapAbandonedRuns() {
    Path temp = Paths.get(System.getProperty("java.io.tmpdir"));
    try (Stream<Path> runs = Files.list(temp)) {
      for (Path run : (Iterable<Path>) runs.filter(p -> p.getFileName().toString().startsWith(DIRECTORY_PREFIX))
          .filter(Files::isDirectory)::iterator) {
        Path owner = run.resolve(OWNER_FILE);
        if (!Files.isRegularFile(owner)) {
          continue;
        }
        long ownerPid = Long.parseLong(readQuietly(owner).trim());
        if (ProcessHandle.of(ownerPid).map(ProcessHandle::isAlive).orElse(false)) {
          continue;
        }
        for (String line : readQuietly(run.resolve(PROCESSES_FILE)).split("\n")) {
          String[] words = line.trim().split(" ");
          if (words.length < 2) {
            continue;
          }
          long started = Long.parseLong(words[1]);
          ProcessHandle.of(Long.parseLong(words[0]))
              .filter(h -> h.info().startInstant().map(Instant::toEpochMilli).orElse(-1L) == started)
              .ifPresent(h -> {
                LOG.warn("Stopping {} (pid {}) left behind by an earlier test bed in {}",
                    words.length > 2 ? words[2] : "a process", h.pid(), run);
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
              });
        }
        deleteRecursively(run);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not clean up earlier test beds in {}: {}", temp, e.toString());
    }
  }

  // ---- helpers ---------------------------------------------------------------------------

  private String kubeconfigYaml(Pki.Issued ca, Pki.Issued admin) {
    return "apiVersion: v1\n"
        + "kind: Config\n"
        + "clusters:\n"
        + "- name: lambdaop-testbed\n"
        + "  cluster:\n"
        + "    server: " + apiServerUrl + "\n"
        + "    certificate-authority-data: " + base64(ca.certificatePem()) + "\n"
        + "users:\n"
        + "- name: " + ADMIN_USER + "\n"
        + "  user:\n"
        + "    client-certificate-data: " + base64(admin.certificatePem()) + "\n"
        + "    client-key-data: " + base64(admin.keyPem()) + "\n"
        + "contexts:\n"
        + "- name: lambdaop-testbed\n"
        + "  context:\n"
        + "    cluster: lambdaop-testbed\n"
        + "    user: " + ADMIN_USER + "\n"
        + "    namespace: default\n"
        + "current-context: lambdaop-testbed\n";
  }

  /** TLS that trusts only this run's CA and presents the admin's client certificate. */
  private static SSLContext sslContext(Pki.Issued ca, Pki.Issued admin) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.certificate());
      TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trust);
      char[] password = "testbed".toCharArray();
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("admin", admin.key(), password, new Certificate[] {admin.certificate(), ca.certificate()});
      KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
      return context;
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS for the test bed", e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  private static InetAddress loopback() {
    return address(127, 0, 0, 1);
  }

  private static InetAddress address(int a, int b, int c, int d) {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static void write(Path file, String content) {
    try {
      Files.writeString(file, content);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static String readQuietly(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          // best effort: the temp directory is cleaned up by the OS eventually
        }
      });
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("Could not delete {}: {}", root, e.toString());
    }
  }
}
