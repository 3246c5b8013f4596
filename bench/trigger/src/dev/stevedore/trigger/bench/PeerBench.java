package dev.stevedore.trigger.bench;

import dev.stevedore.trigger.bench.WebhookBench.Result;
import dev.stevedore.trigger.it.TestKafka;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Issue #14: the trigger against a peer and a floor, in one run, A B A B, with one load generator
 * (this JVM's Vert.x client, the same for every subject: each request a new signed GitHub push).
 * <ul>
 *   <li>subjects, started fresh in every round: the trigger (one or more JVM option variants, each
 *       with a fresh broker: a restarted trigger reads the whole topic back), and the peer
 *       adnanh/webhook (HMAC-SHA256 check of X-Hub-Signature-256, branch match, runs /bin/true,
 *       publishes nothing);</li>
 *   <li>two windows after each start: "early" from the first request (minute 1) and "late" after
 *       {@code --late} seconds of load (minute 5 by default); each window spends half its time at a
 *       fixed rate (open loop, {@code --rate}/s: p99 from the scheduled send to the 202, for the
 *       trigger after Kafka's acknowledgement) and half closed loop ({@code --concurrency} in flight:
 *       throughput, first); the process's CPU time (user+system, children included) over the window divided by
 *       the requests it accepted = CPU per accepted webhook;</li>
 *   <li>the floor: Kafka's ProducerPerformance (1.2 kB records, acks=all, idempotent) inside the
 *       broker's container, as fast as it can and at {@code --rate}/s.</li>
 * </ul>
 * Prints each round, then the means and the ratios to the peer and to the floor.
 * Usage: PeerBench --jar trigger-all.jar [--window 60] [--late 240] [--rounds 2] [--rate 1000]
 * [--concurrency 32] [--variant name=[jar=PATH] JVM options]... [--no-peer] [--no-floor]
 */
public final class PeerBench {
  static final String SECRET = WebhookBench.SECRET;
  /** At the fixed rate, a request due while this many are unanswered is not sent and counts as failed. */
  static final int MAX_IN_FLIGHT = 256;

  /** One measured window: fixed-rate latency, closed-loop throughput, CPU per accepted. */
  record Window(double p50, double p99, long rateFailed, double perSecond, long accepted, double cpuMsPerAccepted,
      long failed, Map<String, Long> threadCpuMs, Parties closedLoop) {
    Window(double p50, double p99, long rateFailed, double perSecond, long accepted, double cpuMsPerAccepted,
        long failed, Parties closedLoop) {
      this(p50, p99, rateFailed, perSecond, accepted, cpuMsPerAccepted, failed, Map.of(), closedLoop);
    }
  }

  /**
   * CPU per accepted request in the closed-loop half, by party (ms): the subject, the load generator
   * (this JVM), the broker (0 for the peer) and the whole machine (/proc/stat, everything that ran);
   * and the machine's busy share of its cores. When the machine is busy near 100 %, throughput is
   * cores / machine CPU per request: the ratio of two subjects' throughputs is the inverse ratio of
   * their machine CPU per request, and the generator's and broker's parts are a floor under it.
   */
  record Parties(double subject, double generator, double broker, double machine, double busyShare) {
    static final Parties NONE = new Parties(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    Parties plus(Parties o) {
      return new Parties(subject + o.subject, generator + o.generator, broker + o.broker, machine + o.machine,
          busyShare + o.busyShare);
    }

    Parties div(int n) {
      return new Parties(subject / n, generator / n, broker / n, machine / n, busyShare / n);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "subject %.3f + generator %.3f + broker %.3f + rest %.3f = machine %.3f ms per "
          + "accepted, machine busy %.0f %% of %d cores", subject, generator, broker, machine - subject - generator
          - broker, machine, 100 * busyShare, CORES);
    }
  }

  static final int CORES = Runtime.getRuntime().availableProcessors();

  /** CPU so far: subject, generator, broker, machine busy (ms), at a wall-clock instant (ns). */
  record Sample(long subject, long generator, long broker, long machine, long nanos) {
    static Sample take(long pid, String broker) throws java.io.IOException {
      return new Sample(cpuMillis(pid), cpuMillis(ProcessHandle.current().pid()), broker == null ? 0
          : containerCpuMillis(broker), machineBusyMillis(), System.nanoTime());
    }

    Parties per(Sample later, long accepted) {
      double a = Math.max(1, accepted);
      double wallMs = (later.nanos - nanos) / 1e6;
      return new Parties((later.subject - subject) / a, (later.generator - generator) / a,
          (later.broker - broker) / a, (later.machine - machine) / a, (later.machine - machine) / (wallMs * CORES));
    }
  }

  /**
   * CPU of every process of a container so far, ms, from its cgroup (v1 cpuacct or v2 cpu.stat): the
   * broker's JVM is a grandchild of the container's first process, so /proc/PID/stat of that one
   * would miss it.
   */
  static long containerCpuMillis(String id) throws java.io.IOException {
    Path v1 = Path.of("/sys/fs/cgroup/cpuacct/docker", id, "cpuacct.usage");
    if (Files.exists(v1)) {
      return Long.parseLong(Files.readString(v1).trim()) / 1_000_000;
    }
    for (Path v2 : List.of(Path.of("/sys/fs/cgroup/system.slice/docker-" + id + ".scope/cpu.stat"),
        Path.of("/sys/fs/cgroup/docker", id, "cpu.stat"))) {
      if (Files.exists(v2)) {
        return Files.readAllLines(v2).stream().filter(l -> l.startsWith("usage_usec ")).findFirst()
            .map(l -> Long.parseLong(l.substring(11).trim()) / 1000).orElse(0L);
      }
    }
    throw new IllegalStateException("no CPU accounting found for container " + id);
  }

  /** The trigger's {@code stevedore_trigger_history_lag} from its /metrics, or why not. */
  static String historyLag(int opsPort) {
    try {
      var http = java.net.http.HttpClient.newHttpClient();
      String text = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + opsPort
          + "/metrics")).timeout(java.time.Duration.ofSeconds(5)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      return text.lines().filter(l -> l.startsWith("stevedore_trigger_history_lag ")).map(l -> l.substring(30))
          .findFirst().orElse("(not exposed)");
    } catch (java.io.IOException | InterruptedException e) {
      return "(not read: " + e + ")";
    }
  }

  /** Busy CPU of the whole machine so far (all but idle and iowait), ms, from /proc/stat. */
  static long machineBusyMillis() throws java.io.IOException {
    String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
    String[] f = cpu.trim().split("\\s+");
    long busy = 0;
    for (int i = 1; i < f.length && i <= 8; i++) {
      if (i != 4 && i != 5) { // idle, iowait
        busy += Long.parseLong(f[i]);
      }
    }
    return busy * 1000 / 100;
  }

  /** What is measured: a name, and how to start and stop it. */
  interface Subject {
    String name();

    /** Starts a fresh process; returns its pid and the port its hook listens on. */
    Running start() throws Exception;
  }

  /** @param broker the broker's container id (its CPU is the subject's too), null when there is none */
  record Running(Process process, int port, AutoCloseable cleanup, String broker, int opsPort) {}

  /** Seconds of no load after a subject is ready, before its early window: what it and its broker use idle. */
  static int idleAfterReady;

  public static void main(String[] args) throws Exception {
    String jar = null;
    int window = 60;
    int late = 240;
    int rounds = 2;
    int rate = 1000;
    int concurrency = 32;
    boolean peer = true;
    boolean floor = true;
    Map<String, String> variants = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--jar" -> jar = args[++i];
        case "--window" -> window = Integer.parseInt(args[++i]);
        case "--late" -> late = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--rate" -> rate = Integer.parseInt(args[++i]);
        case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
        case "--variant" -> {
          String[] v = args[++i].split("=", 2);
          variants.put(v[0], v.length > 1 ? v[1] : "");
        }
        case "--no-peer" -> peer = false;
        case "--no-floor" -> floor = false;
        case "--idle-after-ready" -> idleAfterReady = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (jar == null || !new File(jar).isFile()) {
      throw new IllegalArgumentException("--jar must name the trigger's shaded jar");
    }
    if (late < window) {
      throw new IllegalArgumentException("--late must be at least --window");
    }
    if (variants.isEmpty()) {
      variants.put("trigger", System.getenv().getOrDefault("TRIGGER_JAVA_OPTS", ""));
    }
    List<Subject> subjects = new ArrayList<>();
    for (Map.Entry<String, String> v : variants.entrySet()) {
      // "jar=PATH OPTIONS": another build of the trigger (e.g. before a change) in the same run
      String opts = v.getValue().trim();
      // "java=PATH": another JVM (its bin/java), e.g. a newer JDK with an AOT cache;
      // "env:NAME=VALUE": an environment variable of the trigger, e.g. STEVEDORE_WARM_UP_DURATION_MS=5000
      String variantJar = jar;
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Map<String, String> env = new LinkedHashMap<>();
      while (opts.startsWith("jar=") || opts.startsWith("java=") || opts.startsWith("env:")) {
        String[] parts = opts.split("\\s+", 2);
        if (parts[0].startsWith("jar=")) {
          variantJar = parts[0].substring(4);
        } else if (parts[0].startsWith("java=")) {
          java = parts[0].substring(5);
        } else {
          String[] kv = parts[0].substring(4).split("=", 2);
          env.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        opts = parts.length > 1 ? parts[1] : "";
      }
      subjects.add(trigger(v.getKey(), java, variantJar, opts, env));
    }
    if (peer) {
      subjects.add(peer());
    }
    System.out.printf(Locale.ROOT, "trigger vs peer benchmark: %d round(s), window %d s (half at %d/s fixed rate, half "
        + "closed loop with %d in flight), early window from the first request, late window from %d s of load; "
        + "load average before: %s%n", rounds, window, rate, concurrency, late, WebhookBench.loadAverage());
    Map<String, List<Window[]>> results = new LinkedHashMap<>();
    Vertx vertx = Vertx.vertx();
    try {
      warmGenerator(vertx, rate, concurrency);
      for (int round = 1; round <= rounds; round++) {
        for (Subject s : subjects) {
          Window[] w = measure(vertx, s, window, late, rate, concurrency);
          results.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(w);
          for (int i = 0; i < 2; i++) {
            System.out.printf(Locale.ROOT, "round %d %-12s %-5s  at %d/s p50=%.1f ms p99=%.1f ms (failed or shed at %d in flight: %d)  closed "
                + "loop %.0f/s (failed %d)  CPU %.3f ms per accepted  load %s%n", round, s.name(), i == 0 ? "early"
                : "late", rate, w[i].p50, w[i].p99, MAX_IN_FLIGHT, w[i].rateFailed, w[i].perSecond, w[i].failed,
                w[i].cpuMsPerAccepted, WebhookBench.loadAverage().split(" ")[0]);
            System.out.println("        closed loop: " + w[i].closedLoop());
            if (!s.name().equals("webhook")) {
              System.out.println("        CPU ms in the window by thread kind: " + w[i].threadCpuMs());
            }
          }
        }
      }
      double[] floorFigures = floor ? floor(rate, window) : null;
      System.out.println();
      System.out.println("summary (mean of the rounds; load average now " + WebhookBench.loadAverage() + ")");
      List<Window[]> peerResults = results.get("webhook");
      for (Map.Entry<String, List<Window[]>> e : results.entrySet()) {
        for (int i = 0; i < 2; i++) {
          Window m = mean(e.getValue(), i);
          StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-12s %-5s %7.0f/s  p99@%d/s %7.1f ms  "
              + "(failed or shed %d) CPU %.3f ms/accepted", e.getKey(), i == 0 ? "early" : "late", m.perSecond, rate, m.p99,
              m.rateFailed, m.cpuMsPerAccepted));
          if (peerResults != null && !e.getKey().equals("webhook")) {
            Window p = mean(peerResults, i);
            line.append(String.format(Locale.ROOT, "  | vs peer: throughput x%.2f (target >= 2), p99 x%.2f (target <= 1),"
                + " CPU x%.2f", m.perSecond / p.perSecond, m.p99 / p.p99, m.cpuMsPerAccepted / p.cpuMsPerAccepted));
            // With the machine saturated, 2x the peer's throughput needs at most half its machine CPU per request;
            // what the generator and the broker use per request is spent whatever the trigger does.
            double budget = p.closedLoop().machine() / 2;
            double others = m.closedLoop().machine() - m.closedLoop().subject();
            line.append(String.format(Locale.ROOT, "%n             closed loop, machine CPU per accepted: %.3f ms (peer %.3f);"
                + " 2x the peer allows %.3f ms, of which all but the trigger (generator, broker, docker-proxy, the"
                + " rest) use %.3f ms: %.3f ms left for the trigger, which uses %.3f", m.closedLoop().machine(),
                p.closedLoop().machine(), budget, others, budget - others, m.closedLoop().subject()));
          }
          if (floorFigures != null) {
            line.append(String.format(Locale.ROOT, "  | vs floor: throughput x%.2f (target >= 0.5), p99 x%.2f "
                + "(target <= 2)", m.perSecond / floorFigures[0], m.p99 / floorFigures[1]));
          }
          System.out.println(line);
        }
      }
      if (floorFigures != null) {
        System.out.printf(Locale.ROOT, "floor        ProducerPerformance %.0f records/s; at %d/s p50=%.0f ms p99=%.0f ms%n",
            floorFigures[0], rate, floorFigures[2], floorFigures[1]);
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The load generator's own JIT warm-up, against a server in this JVM that reads the body and answers
   * 202, before any subject: otherwise the first subject measured pays for compiling the generator
   * (its early window showed the generator using 0.9 ms of CPU per request, against 0.04 later).
   */
  static void warmGenerator(Vertx vertx, int rate, int concurrency) throws Exception {
    io.vertx.core.http.HttpServer server = vertx.createHttpServer()
        .requestHandler(r -> r.body().onComplete(b -> r.response().setStatusCode(202).end("{\"deploymentId\":\"x\"}")))
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(server.actualPort()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(MAX_IN_FLIGHT));
    byte[] body = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
    long t0 = System.nanoTime();
    try {
      Result closed = WebhookBench.closedLoop(vertx, client, Buffer.buffer(body), "sha256=00", concurrency, 10);
      Result fixed = WebhookBench.openLoop(vertx, client, Buffer.buffer(body), "sha256=00", rate, 5, MAX_IN_FLIGHT);
      System.out.printf(Locale.ROOT, "load generator warmed up against an in-process server: %d requests in %d ms%n",
          closed.ok + fixed.ok, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
      server.close().await(10, TimeUnit.SECONDS);
    }
  }

  static Window mean(List<Window[]> rounds, int index) {
    double p50 = 0;
    double p99 = 0;
    double ps = 0;
    double cpu = 0;
    long acc = 0;
    long failed = 0;
    long rateFailed = 0;
    for (Window[] w : rounds) {
      p50 += w[index].p50;
      p99 += w[index].p99;
      ps += w[index].perSecond;
      cpu += w[index].cpuMsPerAccepted;
      acc += w[index].accepted;
      failed += w[index].failed;
      rateFailed += w[index].rateFailed;
    }
    int n = rounds.size();
    Parties parties = rounds.stream().map(w -> w[index].closedLoop()).reduce(Parties::plus).orElse(Parties.NONE);
    return new Window(p50 / n, p99 / n, rateFailed, ps / n, acc, cpu / n, failed, parties.div(n));
  }

  static Window[] measure(Vertx vertx, Subject subject, int window, int late, int rate, int concurrency)
      throws Exception {
    Running running = subject.start();
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(running.port()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(Math.max(concurrency, MAX_IN_FLIGHT)));
    byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c\","
        + "\"repository\":{\"full_name\":\"acme/web\"},\"pusher\":{\"name\":\"bench\"}}").getBytes(StandardCharsets.UTF_8);
    Buffer payload = Buffer.buffer(body);
    String signature = dev.stevedore.trigger.hooks.Hmac.header(SECRET, body);
    long pid = running.process().pid();
    if (idleAfterReady > 0) {
      Sample a = Sample.take(pid, running.broker());
      Thread.sleep(idleAfterReady * 1000L);
      Sample b = Sample.take(pid, running.broker());
      double ms = (b.nanos() - a.nanos()) / 1e6;
      System.out.printf(Locale.ROOT, "%s idle for %d s after ready: subject %.0f %%, broker %.0f %%, machine %.0f %% of "
          + "one core%n", subject.name(), idleAfterReady, 100 * (b.subject() - a.subject()) / ms,
          100 * (b.broker() - a.broker()) / ms, 100 * (b.machine() - a.machine()) / ms);
    }
    try {
      long started = System.nanoTime();
      Window early = window(vertx, client, payload, signature, pid, running.broker(), running.opsPort(), window, rate,
          concurrency);
      long filler = late - TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      if (filler > 0) {
        WebhookBench.closedLoop(vertx, client, payload, signature, concurrency, (int) filler);
      }
      Window lateWindow = window(vertx, client, payload, signature, pid, running.broker(), running.opsPort(), window,
          rate, concurrency);
      return new Window[] {early, lateWindow};
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
      running.process().destroy();
      // a JVM asked for an AOT cache (-XX:AOTCacheOutput) writes it as it exits: give it time
      if (!running.process().waitFor(120, TimeUnit.SECONDS)) {
        running.process().destroyForcibly();
      }
      running.cleanup().close();
    }
  }

  static Window window(Vertx vertx, HttpClient client, Buffer payload, String signature, long pid, String broker,
      int opsPort, int seconds, int rate, int concurrency) throws Exception {
    int half = Math.max(1, seconds / 2);
    long cpu0 = cpuMillis(pid);
    Map<String, Long> threads0 = threadCpu(pid);
    // closed loop first: a subject that cannot keep up with the fixed rate leaves a backlog, which must
    // not eat into the throughput phase
    Sample before = Sample.take(pid, broker);
    Result closed = WebhookBench.closedLoop(vertx, client, payload, signature, concurrency, seconds - half);
    Parties parties = before.per(Sample.take(pid, broker), closed.ok);
    if (opsPort > 0) {
      // the history reads back every request published: is it keeping up at full load?
      System.out.println("        the trigger's history lag right after the closed loop: " + historyLag(opsPort)
          + " records (stevedore_trigger_history_lag, measured every 5 s)");
    }
    Result fixed = WebhookBench.openLoop(vertx, client, payload, signature, rate, half, MAX_IN_FLIGHT);
    long cpu1 = cpuMillis(pid);
    Map<String, Long> threads = threadCpu(pid);
    threads0.forEach((k, v) -> threads.merge(k, -v, Long::sum));
    long accepted = fixed.ok + closed.ok;
    return new Window(fixed.percentile(50), fixed.percentile(99), fixed.failed, closed.ok / (double) (seconds - half),
        accepted, accepted == 0 ? Double.NaN : (cpu1 - cpu0) / (double) accepted, closed.failed, threads, parties);
  }

  /**
   * CPU milliseconds of a JVM's threads by kind (JIT compilers, GC, Vert.x event loops, Kafka clients,
   * the rest), from /proc/PID/task/TID/stat; threads that ended in between are missing.
   */
  static Map<String, Long> threadCpu(long pid) {
    Map<String, Long> out = new java.util.TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long ms = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
          String kind = comm.startsWith("C2 ") ? "jit-c2" : comm.startsWith("C1 ") ? "jit-c1"
              : comm.startsWith("GC ") || comm.startsWith("G1 ") || comm.equals("VM Thread") ? "gc+vm"
              : comm.startsWith("vert.x-eventloo") ? "event-loops"
              : comm.startsWith("kafka-producer") ? "kafka-producer"
              : comm.startsWith("vert.x-kafka") ? "kafka-consumers" : "other";
          out.merge(kind, ms, Long::sum);
        } catch (java.io.IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (java.io.IOException e) {
      // the process ended
    }
    return out;
  }

  /** User + system CPU of a process and of its waited-for children, in milliseconds (/proc/PID/stat). */
  static long cpuMillis(long pid) throws java.io.IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // after "pid (comm) ": state=0 ... utime=11 stime=12 cutime=13 cstime=14 (fields 14-17 of proc(5))
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    return ticks * 1000 / 100; // USER_HZ is 100 on Linux
  }

  static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Subject trigger(String name, String java, String jar, String javaOpts, Map<String, String> env) {
    return new Subject() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Running start() throws Exception {
        KafkaContainer kafka = TestKafka.newContainer();
        kafka.start();
        warmBroker(kafka);
        Path dir = Files.createTempDirectory("trigger-peer-bench");
        int port = freePort();
        int opsPort = freePort();
        Files.writeString(dir.resolve("trigger.yml"), String.join("\n",
            "kafka:",
            "  bootstrapServers: " + kafka.getBootstrapServers(),
            "http:",
            "  host: 127.0.0.1",
            "  port: " + port,
            "  opsPort: " + opsPort,
            "signing:",
            "  generateEphemeralKey: true",
            "schedules:",
            "  dataDir: " + dir.resolve("data"),
            "github:",
            "  secret: " + SECRET,
            "repositories:",
            "  - name: acme/web",
            "    services: [web]",
            "limits:",
            "  ratePerSecond: 10000000",
            "  recentDeployments: 2000000",
            ""));
        List<String> command = new ArrayList<>(List.of(java,
            "-Xmx1g"));
        if (!javaOpts.isBlank()) {
          command.addAll(Arrays.asList(javaOpts.trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", jar, "--config", dir.resolve("trigger.yml").toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(dir.resolve("trigger.log").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        long t0 = System.nanoTime();
        WebhookBench.waitReady(opsPort);
        System.out.printf(Locale.ROOT, "%s: ready %d ms after the JVM started (%s), CPU at ready %d ms; log %s%n", name,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
            (javaOpts.isBlank() ? "default options" : javaOpts) + (env.isEmpty() ? "" : " " + env),
            cpuMillis(p.pid()), dir.resolve("trigger.log"));
        return new Running(p, port, kafka::stop, kafka.getContainerId(), opsPort);
      }
    };
  }

  /** adnanh/webhook: HMAC-SHA256 of the body against X-Hub-Signature-256, ref must be refs/heads/main, runs /bin/true. */
  static Subject peer() {
    return new Subject() {
      @Override
      public String name() {
        return "webhook";
      }

      @Override
      public Running start() throws Exception {
        Path dir = Files.createTempDirectory("webhook-peer-bench");
        Files.writeString(dir.resolve("hooks.json"), """
            [{"id": "github", "execute-command": "/bin/true", "command-working-directory": "/",
              "success-http-response-code": 202, "trigger-rule-mismatch-http-response-code": 400,
              "trigger-rule": {"and": [
                {"match": {"type": "payload-hmac-sha256", "secret": "%s",
                           "parameter": {"source": "header", "name": "X-Hub-Signature-256"}}},
                {"match": {"type": "value", "value": "refs/heads/main",
                           "parameter": {"source": "payload", "name": "ref"}}}]}}]
            """.formatted(SECRET));
        int port = freePort();
        Process p = new ProcessBuilder("webhook", "-hooks", dir.resolve("hooks.json").toString(), "-ip", "127.0.0.1",
            "-port", Integer.toString(port)).redirectErrorStream(true).redirectOutput(dir.resolve("webhook.log").toFile())
            .start();
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
          try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            break;
          } catch (java.io.IOException e) {
            if (System.currentTimeMillis() > deadline) {
              throw new IllegalStateException("webhook did not listen on " + port + "; see " + dir.resolve("webhook.log"));
            }
            Thread.sleep(50);
          }
        }
        return new Running(p, port, () -> { }, null, 0);
      }
    };
  }

  /**
   * A production trigger talks to a broker that has been running: before the trigger starts, the fresh
   * broker's own JIT is warmed by Kafka's producer and consumer performance tools (acks=all,
   * idempotent, as the trigger publishes; then a fetch of everything) on a topic of their own.
   * Without it the broker used 0.55-0.6 ms of CPU per webhook in the trigger's first window
   * (0.06-0.09 later): a third of the machine, charged to the trigger's minute 1.
   */
  static void warmBroker(KafkaContainer kafka) throws Exception {
    long t0 = System.nanoTime();
    String[] produced = perf(kafka, "broker-warm-up", 300_000, -1);
    var consumed = kafka.execInContainer("/opt/kafka/bin/kafka-run-class.sh",
        "org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server",
        "localhost:9093", "--topic", "broker-warm-up", "--messages", "300000", "--timeout", "60000");
    if (consumed.getExitCode() != 0) {
      throw new IllegalStateException("ConsumerPerformance said: " + consumed.getStdout() + consumed.getStderr());
    }
    System.out.printf(Locale.ROOT, "broker warmed up: 300,000 records produced (%s records/s) and consumed in %d ms%n",
        produced[0], TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  private static final Pattern PERF = Pattern.compile(
      "([\\d.]+) records/sec .*? ([\\d.]+) ms 50th, ([\\d.]+) ms 95th, ([\\d.]+) ms 99th");

  /** ProducerPerformance in a fresh broker's container: {max records/s, p99 at rate, p50 at rate}. */
  static double[] floor(int rate, int window) throws Exception {
    KafkaContainer kafka = TestKafka.newContainer();
    kafka.start();
    try {
      String[] fast = perf(kafka, "floor-max", 200_000, -1);
      int records = rate * Math.max(10, window / 2);
      String[] fixed = perf(kafka, "floor-rate", records, rate);
      System.out.printf(Locale.ROOT, "floor: %s records/s as fast as it can; at %d/s p50=%s ms p99=%s ms%n", fast[0],
          rate, fixed[1], fixed[3]);
      return new double[] {Double.parseDouble(fast[0]), Double.parseDouble(fixed[3]), Double.parseDouble(fixed[1])};
    } finally {
      kafka.stop();
    }
  }

  static String[] perf(KafkaContainer kafka, String topic, int records, int throughput) throws Exception {
    var created = kafka.execInContainer("/opt/kafka/bin/kafka-topics.sh", "--bootstrap-server", "localhost:9093",
        "--create", "--topic", topic, "--partitions", "3", "--replication-factor", "1");
    var run = kafka.execInContainer("/opt/kafka/bin/kafka-run-class.sh", "org.apache.kafka.tools.ProducerPerformance",
        "--topic", topic, "--num-records", Integer.toString(records), "--record-size", "1200", "--throughput",
        Integer.toString(throughput), "--producer-props", "bootstrap.servers=localhost:9093", "acks=all",
        "enable.idempotence=true");
    String out = run.getStdout();
    String last = out.lines().filter(l -> l.contains("records sent")).reduce((a, b) -> b).orElse("");
    Matcher m = PERF.matcher(last);
    if (!m.find()) {
      throw new IllegalStateException("ProducerPerformance said: " + out + run.getStderr() + created.getStderr());
    }
    return new String[] {m.group(1), m.group(2), m.group(3), m.group(4)};
  }
}
