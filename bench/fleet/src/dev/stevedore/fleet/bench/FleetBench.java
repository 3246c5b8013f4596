package dev.stevedore.fleet.bench;

import dev.stevedore.agent.AgentService;
import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.AgentConfigs;
import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRolledBack;
import dev.stevedore.common.event.DeploySkipped;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.testing.KafkaTestSupport;
import dev.stevedore.agent.state.StateStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Fan-out of one all-at-once request to a fleet, on this machine: one broker (container), the
 * trigger service (its shaded jar, own process), and in this JVM either N real agents (the
 * agent's own consumer, admission, durable state, outbox and event publishing; only the driver is
 * {@link TimedDriver}, a fixed time per step), each with its own host id, state directory, Kafka
 * consumer (group {@code stevedore-agent-<host>}) and producer, or N bare kafka-clients consumers
 * (own group each) as the floor. A signed GitHub push goes into the trigger; measured from just
 * before the webhook is sent to each agent's first deployment step (the floor: to each consumer
 * receiving the request). Blocks alternate A (agents) B (floor) A B; idle CPU of the broker with N
 * idle agents, and with N idle bare consumers.
 *
 * <p>Usage: FleetBench --jar trigger-all.jar [--sizes 10,50,200] [--rounds 5] [--warmup-rounds 5] [--step-ms 100]
 * [--fetch-max-wait-ms 500] [--idle-seconds 20] [--idle-matrix-sizes 200,1000] [--matrix-only] [--no-rollout]
 * [--restart-percent 10] [--work DIR]
 */
public final class FleetBench {
  static final String SECRET = "fleet-bench-github-secret";
  static final String SERVICE = "web";
  static final String ROLLING = "api";

  static String env(int n) {
    return "fleet" + n;
  }
  static final EventCodec CODEC = new EventCodec();
  static final boolean TRACE = Boolean.getBoolean("fleet.trace");

  public static void main(String[] args) throws Exception {
    String jar = null;
    List<Integer> sizes = List.of(10, 50, 200);
    int rounds = 5;
    int warmupRounds = 5;
    long stepMs = 100;
    int fetchMaxWaitMs = 20000; // the agent's default (kafka.fetchMaxWaitMs)
    String subscription = "assign"; // the large-fleet model (docs/scale.md); the agent's default is group
    int idleSeconds = 20;
    int blocks = 2;
    boolean direct = true;
    List<Integer> matrixSizes = List.of();
    boolean rollout = true;
    boolean matrixOnly = false;
    double restartPercent = 10;
    Path work = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--jar" -> jar = args[++i];
        case "--sizes" -> sizes = Arrays.stream(args[++i].split(",")).map(String::trim).map(Integer::valueOf).toList();
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--warmup-rounds" -> warmupRounds = Integer.parseInt(args[++i]);
        case "--step-ms" -> stepMs = Long.parseLong(args[++i]);
        case "--fetch-max-wait-ms" -> fetchMaxWaitMs = Integer.parseInt(args[++i]);
        case "--idle-seconds" -> idleSeconds = Integer.parseInt(args[++i]);
        case "--work" -> work = Path.of(args[++i]);
        case "--idle-matrix-sizes" -> matrixSizes = args[++i].isBlank() ? List.of()
            : Arrays.stream(args[++i - 1].split(",")).map(String::trim).map(Integer::valueOf).toList();
        case "--no-rollout" -> rollout = false;
        case "--matrix-only" -> matrixOnly = true;
        case "--restart-percent" -> restartPercent = Double.parseDouble(args[++i]);
        case "--blocks" -> blocks = Integer.parseInt(args[++i]);
        case "--via-docker-proxy" -> direct = false;
        case "--subscription" -> subscription = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (jar == null || !new File(jar).isFile()) {
      throw new IllegalArgumentException("--jar must name the trigger's shaded jar");
    }
    work = work == null ? Files.createTempDirectory("fleet-bench") : work;
    // The broker with C2 (the test default is C1 only, for start-up): its CPU is one of the figures.
    // Configured like docker-compose.yml's broker, not like the tests' (which heartbeat every 0.5 s
    // to notice a killed broker fast): Kafka's broker heartbeat and session, and the controller's
    // no-op record every 5 s.
    KafkaContainer container = KafkaTestSupport.newContainer(null)
        .withEnv("KAFKA_JVM_PERFORMANCE_OPTS", "-XX:+UseSerialGC -Djava.awt.headless=true")
        .withEnv("KAFKA_BROKER_HEARTBEAT_INTERVAL_MS", "2000")
        .withEnv("KAFKA_BROKER_SESSION_TIMEOUT_MS", "9000")
        .withEnv("KAFKA_METADATA_MAX_IDLE_INTERVAL_MS", System.getProperty("fleet.metadataIdleMs", "5000"));
    // Clients reach the broker at the container's own address on the bridge, not through the host
    // port Docker maps: that port is served by docker-proxy, a user-space relay, which stopped (its
    // process gone, every connection refused) under 500 agents' 1,500 connections here. A fleet's
    // hosts talk to the broker directly; so do these.
    container.withListener("0.0.0.0:" + DIRECT_PORT, () -> containerIp(container) + ":" + DIRECT_PORT);
    try (KafkaTestSupport kafka = KafkaTestSupport.start(container)) {
      long brokerPid = DockerClientFactory.instance().client().inspectContainerCmd(container.getContainerId()).exec()
          .getState().getPidLong();
      String bootstrap = direct ? containerIp(container) + ":" + DIRECT_PORT : kafka.bootstrapServers();
      if (matrixOnly) { // bare consumers only: no trigger, no agents
        kafka.createTopics(Topics.REQUESTS);
        for (int n : sizes) {
          IdleMatrix.run(bootstrap, brokerPid, n, idleSeconds);
        }
        kafka.close(); // removes the broker container (exit skips the try's close)
        System.exit(0);
      }
      double[] alone = idleCpu(brokerPid, idleSeconds);
      System.out.printf(Locale.ROOT, "IDLE00 over %d s, no client at all | broker %.1f %% of one core | load %s%n",
          idleSeconds, alone[0], ProcCpu.loadAverage());
      Trigger trigger = Trigger.start(jar, bootstrap, work.resolve("trigger"), sizes);
      // One JVM stands for N hosts: each host has its own blocking pool, so the shared one is sized for
      // the fleet (state writes and fsyncs of N agents would otherwise queue behind 20 threads).
      Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setWorkerPoolSize(Integer.getInteger("fleet.workers", 64)));
      try (Outcomes outcomes = new Outcomes(bootstrap)) {
        System.out.printf(Locale.ROOT, "fleet bench: trigger (own JVM) -> Kafka %s (container, pid %d) -> agents in this "
            + "JVM at %s; step %d ms, fetch.max.wait.ms %d, %d rounds per block, %d pair(s) of blocks A B; work dir %s%n",
            KafkaTestSupport.imageName(), brokerPid, bootstrap, stepMs, fetchMaxWaitMs, rounds, blocks, work);
        // The broker's own idle cost with this harness's fixed clients (the trigger's consumers, the
        // outcome reader), before any agent: what N agents add is measured against it.
        double[] base = idleCpu(brokerPid, idleSeconds);
        System.out.printf(Locale.ROOT, "IDLE0 over %d s, no agent yet | broker %.1f %% of one core with the trigger and "
            + "this bench's outcome reader only | this JVM %.1f %% | load %s%n", idleSeconds, base[0], base[1],
            ProcCpu.loadAverage());
        for (int n : sizes) {
          Bench bench = new Bench(vertx, bootstrap, trigger, outcomes, work.resolve("n" + n), n, stepMs,
              fetchMaxWaitMs, brokerPid, idleSeconds);
          bench.subscription = subscription;
          bench.rollout = rollout;
          bench.restartPercent = restartPercent;
          bench.warmupRounds = warmupRounds;
          bench.run(rounds, blocks);
          if (matrixSizes.contains(n)) {
            IdleMatrix.run(bootstrap, brokerPid, n, idleSeconds);
          }
        }
      } finally {
        vertx.close().await(30, TimeUnit.SECONDS);
        trigger.stop();
      }
    }
    System.exit(0);
  }

  static final int DIRECT_PORT = 19092;

  /** {broker %, this JVM %} of one core over idleSeconds, after a few seconds of quiet. */
  static double[] idleCpu(long brokerPid, int idleSeconds) throws InterruptedException {
    Thread.sleep(5_000);
    long self = ProcessHandle.current().pid();
    double b0 = ProcCpu.millis(brokerPid);
    double s0 = ProcCpu.millis(self);
    long t0 = System.nanoTime();
    Thread.sleep(idleSeconds * 1000L);
    double wall = (System.nanoTime() - t0) / 1e6;
    return new double[] {100 * (ProcCpu.millis(brokerPid) - b0) / wall, 100 * (ProcCpu.millis(self) - s0) / wall};
  }

  static String containerIp(KafkaContainer container) {
    return container.getContainerInfo().getNetworkSettings().getNetworks().values().iterator().next().getIpAddress();
  }

  /** The trigger service in its own JVM, as in production; trusts one GitHub secret, signs with an ephemeral key. */
  static final class Trigger {
    final Process process;
    final int port;
    final Path publicKey;
    final HttpClient http = HttpClient.newHttpClient();

    private Trigger(Process process, int port, Path publicKey) {
      this.process = process;
      this.port = port;
      this.publicKey = publicKey;
    }

    static Trigger start(String jar, String bootstrap, Path dir, List<Integer> sizes) throws Exception {
      Files.createDirectories(dir);
      int port;
      int opsPort;
      try (ServerSocket s = new ServerSocket(0); ServerSocket o = new ServerSocket(0)) {
        port = s.getLocalPort();
        opsPort = o.getLocalPort();
      }
      Path publicKey = dir.resolve("trigger.pub.pem");
      Path config = dir.resolve("trigger.yml");
      Files.writeString(config, String.join("\n",
          "kafka:", "  bootstrapServers: " + bootstrap,
          "http:", "  host: 127.0.0.1", "  port: " + port, "  opsPort: " + opsPort,
          "signing:", "  generateEphemeralKey: true", "  publicKeyOut: " + publicKey,
          "schedules:", "  dataDir: " + dir.resolve("data"),
          "github:", "  secret: " + SECRET,
          "repositories:", repositories(sizes),
          "rollouts:", "  tickMs: 200", "  environments:", rolloutPolicies(sizes),
          ""));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(java, "-Xmx512m", "-jar", jar, "--config", config.toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("trigger.log").toFile()).start();
      Trigger t = new Trigger(p, port, publicKey);
      try {
        t.waitReady(opsPort);
      } catch (Exception | Error e) {
        p.destroyForcibly();
        throw e;
      }
      return t;
    }

    /** Per fleet size its own environment ({@code fleet<N>}, so hosts of one size are never in another's rollout). */
    static String repositories(List<Integer> sizes) {
      StringBuilder out = new StringBuilder();
      for (int n : sizes) {
        out.append("  - name: acme/web-").append(n).append("\n    services: [").append(SERVICE)
            .append("]\n    environment: ").append(env(n)).append('\n');
        out.append("  - name: acme/api-").append(n).append("\n    services: [").append(ROLLING)
            .append("]\n    environment: ").append(env(n)).append('\n');
      }
      return out.toString().stripTrailing();
    }

    /** {@code web}: all at once (the fan-out rounds); {@code api}: rolling, 4 waves of 25 %. */
    static String rolloutPolicies(List<Integer> sizes) {
      StringBuilder out = new StringBuilder();
      for (int n : sizes) {
        out.append("    ").append(env(n)).append(":\n      services:\n        ").append(ROLLING)
            .append(": {strategy: rolling, wavePercent: 25, failurePercent: 50, waveTimeoutSeconds: 120}\n");
      }
      return out.toString().stripTrailing();
    }

    void waitReady(int opsPort) throws Exception {
      long deadline = System.currentTimeMillis() + 300_000; // a loaded machine starts it slowly
      while (System.currentTimeMillis() < deadline) {
        try {
          if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + "/health/ready")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200 && Files.isRegularFile(publicKey)) {
            return;
          }
        } catch (java.io.IOException e) {
          // not listening yet
        }
        Thread.sleep(200);
      }
      throw new IllegalStateException("the trigger did not become ready (see its log)");
    }

    /** A signed GitHub push of commit {@code sha} on main of {@code repo}; returns the HTTP status. */
    int push(String repo, String sha) throws Exception {
      byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + sha + "\",\"repository\":{\"full_name\":\"" + repo + "\"},"
          + "\"pusher\":{\"name\":\"fleet-bench\"}}").getBytes(StandardCharsets.UTF_8);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      String signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hooks/github"))
          .header("Content-Type", "application/json").header("X-GitHub-Event", "push")
          .header("X-GitHub-Delivery", UUID.randomUUID().toString()).header("X-Hub-Signature-256", signature)
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /**
     * {@link #push} until the trigger accepts it (a loaded machine can make it answer 503 while Kafka is
     * slow; the attempt is not a round); returns {nanoTime just before the accepted attempt, its 202 in ms}.
     */
    long[] pushAccepted(String repo, String sha) throws Exception {
      for (int attempt = 1; ; attempt++) {
        long t0 = System.nanoTime();
        int status = push(repo, sha);
        if (status == 202) {
          return new long[] {t0, (System.nanoTime() - t0) / 1_000_000};
        }
        if (status != 503 || attempt >= 30) {
          throw new IllegalStateException("the trigger answered " + status + " to " + repo + " (attempt " + attempt + ")");
        }
        System.out.println("  (the trigger answered 503; trying again in 2 s)");
        Thread.sleep(2_000);
      }
    }

    void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  /** Terminal outcome events per version and host, read from the events topic. */
  static final class Outcomes implements AutoCloseable {
    final Map<String, Map<String, Long>> done = new ConcurrentHashMap<>();
    /** version -> {time rollout.succeeded (or halted) was read, hosts that succeeded}. */
    final Map<String, long[]> rollouts = new ConcurrentHashMap<>();
    final KafkaConsumer<String, byte[]> consumer;
    final Thread thread;
    final AtomicBoolean running = new AtomicBoolean(true);

    Outcomes(String bootstrap) throws InterruptedException {
      consumer = new KafkaConsumer<>(props(bootstrap, "fleet-bench-outcomes-" + UUID.randomUUID(), 100),
          new StringDeserializer(), new ByteArrayDeserializer());
      CountDownLatch ready = new CountDownLatch(1);
      thread = new Thread(() -> loop(ready), "fleet-bench-outcomes");
      thread.start();
      ready.await(60, TimeUnit.SECONDS);
    }

    private void loop(CountDownLatch ready) {
      consumer.subscribe(List.of(Topics.EVENTS, Topics.ROLLOUT_EVENTS), assigned(consumer, ready));
      try {
        while (running.get()) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            long now = System.nanoTime();
            try {
              StevedoreEvent e = CODEC.decode(r.value());
              String[] vh = null;
              if (e instanceof DeploySucceeded s) {
                vh = new String[] {s.version(), s.host()};
              } else if (e instanceof DeployFailed f) {
                vh = new String[] {f.version(), f.host()};
              } else if (e instanceof DeployRolledBack b) {
                vh = new String[] {b.version(), b.host()};
              } else if (e instanceof DeploySkipped k) {
                vh = new String[] {k.version(), k.host()};
              }
              if (e instanceof dev.stevedore.common.event.RolloutSucceeded rs) {
                rollouts.putIfAbsent(rs.version(), new long[] {now, rs.succeeded().size()});
              } else if (e instanceof dev.stevedore.common.event.RolloutHalted rh) {
                rollouts.putIfAbsent(rh.version(), new long[] {now, -1});
              }
              if (vh != null) {
                done.computeIfAbsent(vh[0], k -> new ConcurrentHashMap<>()).putIfAbsent(vh[1], now);
              }
            } catch (Exception ignored) {
              // not an event the bench reads
            }
          }
        }
      } catch (WakeupException e) {
        // closing
      } finally {
        consumer.close();
      }
    }

    int count(String version) {
      Map<String, Long> m = done.get(version);
      return m == null ? 0 : m.size();
    }

    long last(String version) {
      return done.getOrDefault(version, Map.of()).values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      consumer.wakeup();
      thread.join(10_000);
    }
  }

  static Properties props(String bootstrap, String group, int fetchMaxWaitMs) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", group);
    p.put("enable.auto.commit", "false");
    p.put("auto.offset.reset", "latest");
    p.put("fetch.max.wait.ms", String.valueOf(fetchMaxWaitMs));
    return p;
  }

  /** Marks the consumer ready once it has partitions and their positions (so "latest" is fixed before a round). */
  static ConsumerRebalanceListener assigned(KafkaConsumer<?, ?> consumer, CountDownLatch ready) {
    return new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {}

      @Override
      public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
        partitions.forEach(consumer::position);
        ready.countDown();
      }
    };
  }

  /** One fleet size: A B A B blocks, then the summary. */
  static final class Bench {
    final Vertx vertx;
    final String bootstrap;
    final Trigger trigger;
    final Outcomes outcomes;
    final Path dir;
    final int n;
    final long stepMs;
    final int fetchMaxWaitMs;
    final long brokerPid;
    final int idleSeconds;
    final SecureRandom random = new SecureRandom();
    /** Round in flight: version -> first-step time per host index. */
    volatile String version;
    volatile AtomicLongArray marks;
    final Map<String, Integer> index = new ConcurrentHashMap<>();
    final List<double[]> agentRounds = new ArrayList<>(); // first, last started, last done, 202
    final List<double[]> floorRounds = new ArrayList<>(); // first, last received, 0, 202
    final List<String> notes = new ArrayList<>();
    final List<double[]> rolloutRounds = new ArrayList<>(); // first started, last started, rollout.succeeded, last done
    final List<double[]> restarts = new ArrayList<>(); // k, stop ms, start ms, next round last started, broker cpu %, bench cpu %
    final List<Double> durableWrites = new ArrayList<>(); // per A B pair: N hosts' one write each, all at once (ms)
    boolean rollout = true;
    double restartPercent = 10;
    int warmupRounds = 5;
    String subscription; // set by main (--subscription)
    double idleBrokerAgents = -1;
    double idleSelfAgents = -1;
    double idleBrokerFloor = -1;
    double idleSelfFloor = -1;

    Bench(Vertx vertx, String bootstrap, Trigger trigger, Outcomes outcomes, Path dir, int n, long stepMs,
        int fetchMaxWaitMs, long brokerPid, int idleSeconds) {
      this.vertx = vertx;
      this.bootstrap = bootstrap;
      this.trigger = trigger;
      this.outcomes = outcomes;
      this.dir = dir;
      this.n = n;
      this.stepMs = stepMs;
      this.fetchMaxWaitMs = fetchMaxWaitMs;
      this.brokerPid = brokerPid;
      this.idleSeconds = idleSeconds;
      for (int i = 0; i < n; i++) {
        index.put(host(i), i);
      }
    }

    String host(int i) {
      return String.format(Locale.ROOT, "sim%d-%04d", n, i);
    }

    String newVersion() {
      byte[] b = new byte[20];
      random.nextBytes(b);
      return HexFormat.of().formatHex(b);
    }

    /**
     * Rounds that are not counted, after the first: the JIT compiles the agents' path over the first
     * hundreds of requests (in one JVM for N hosts, the C2 compiler used 0.3-1.4 s of CPU per round of
     * 200 agents in the first rounds), and the floor gets the same number of rounds.
     */
    void warmUp(String block, java.util.concurrent.Callable<double[]> round) throws Exception {
      if (warmupRounds <= 0) {
        return;
      }
      StringBuilder last = new StringBuilder();
      for (int r = 0; r < warmupRounds; r++) {
        last.append(r == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", round.call()[1]));
      }
      System.out.printf(Locale.ROOT, "  %s n=%d: %d warm-up rounds (not counted), last host %s ms%n", block, n, warmupRounds,
          last);
    }

    /** {@code blocks} pairs A B (2: A B A B); idle CPU in the first pair, the restart in the last A. */
    void run(int rounds, int blocks) throws Exception {
      for (int block = 0; block < blocks; block++) {
        agentsBlock(rounds, block == 0, block == blocks - 1);
        floorBlock(rounds, block == 0);
        durableWrites.add(durableWrites());
      }
      report();
    }

    /**
     * The disk's floor for N hosts on one disk: N {@link StateStore}s (each its own state thread, as
     * the agents), one save each, all at once; ms until the last is on disk. Every agent makes one
     * such write before its first step, so on one shared disk the last host's start cannot come
     * sooner than this after its record arrives. Median of 3.
     */
    double durableWrites() throws Exception {
      Path base = dir.resolve("disk-" + UUID.randomUUID().toString().substring(0, 8));
      List<Future<StateStore>> opening = new ArrayList<>();
      List<io.vertx.core.WorkerExecutor> workers = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Path d = base.resolve("h" + i);
        Files.createDirectories(d);
        io.vertx.core.WorkerExecutor w = vertx.createSharedWorkerExecutor("fleet-disk-" + i, 1);
        workers.add(w);
        opening.add(StateStore.open(vertx, d, w));
      }
      Future.all(opening).await(60, TimeUnit.SECONDS);
      List<StateStore> stores = opening.stream().map(Future::result).toList();
      double[] ms = new double[3];
      for (int r = 0; r < ms.length; r++) {
        long t0 = System.nanoTime();
        List<Future<Void>> saved = stores.stream().map(StateStore::save).toList();
        Future.all(saved).await(60, TimeUnit.SECONDS);
        ms[r] = (System.nanoTime() - t0) / 1e6;
      }
      workers.forEach(io.vertx.core.WorkerExecutor::close);
      double[] sorted = ms.clone();
      Arrays.sort(sorted);
      double median = pct(sorted, 50);
      System.out.printf(Locale.ROOT, "  D n=%d: one state-file write per host, all at once: %.0f, %.0f, %.0f ms%n", n, ms[0],
          ms[1], ms[2]);
      return median;
    }

    // ---- A: real agents ---------------------------------------------------------------------------

    void agentsBlock(int rounds, boolean measureIdle, boolean last) throws Exception {
      long t0 = System.nanoTime();
      List<RunningAgent> agents = startAgents();
      double startMs = (System.nanoTime() - t0) / 1e6;
      double[] warm = agentRound(Duration.ofSeconds(180));
      System.out.printf(Locale.ROOT, "  A n=%d: %d agents started in %.0f ms; first request reached all (group joins, "
          + "history) after %.0f ms more%n", n, agents.size(), startMs, warm[1]);
      warmUp("A", () -> agentRound(Duration.ofSeconds(60)));
      if (measureIdle) {
        double[] idle = idle();
        idleBrokerAgents = idle[0];
        idleSelfAgents = idle[1];
      }
      for (int r = 0; r < rounds; r++) {
        agentRounds.add(agentRound(Duration.ofSeconds(60)));
      }
      if (rollout) {
        rolloutRounds.add(rolloutRound(Duration.ofSeconds(600)));
      }
      if (last && restartPercent > 0) {
        restarts.add(restart(agents));
      }
      stop(agents);
    }

    /** A 4-wave rolling rollout (25 % per wave) of the rolling service: {first started, last started, rollout.succeeded, last done} ms. */
    double[] rolloutRound(Duration timeout) throws Exception {
      String v = newVersion();
      AtomicLongArray m = new AtomicLongArray(n);
      marks = m;
      version = v;
      long t0 = trigger.pushAccepted("acme/api-" + n, v)[0];
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline && (outcomes.rollouts.get(v) == null || outcomes.count(v) < n)) {
        Thread.sleep(5);
      }
      long[] end = outcomes.rollouts.get(v);
      if (end == null || end[1] != n || outcomes.count(v) < n) {
        notes.add(String.format(Locale.ROOT, "n=%d rollout %s: %s; %d of %d hosts finished within %s", n, v.substring(0, 8),
            end == null ? "no rollout.succeeded" : end[1] < 0 ? "HALTED" : end[1] + " hosts succeeded", outcomes.count(v), n,
            timeout));
      }
      double[] r = {ms(min(m), t0), ms(max(m), t0), end == null ? Double.NaN : ms(end[0], t0), ms(outcomes.last(v), t0)};
      System.out.printf(Locale.ROOT, "  A n=%d: rolling rollout (4 waves of 25 %%): first host started %.0f ms, last %.0f ms, "
          + "rollout.succeeded read %.0f ms, last host done %.0f ms%n", n, r[0], r[1], r[2], r[3]);
      return r;
    }

    /**
     * {@code restartPercent} of the agents stop at once and start again at once (same host ids and state):
     * time to stop, time until all are started again, the next request's last host, and the broker's and
     * this JVM's CPU from the stop to the end of that round.
     */
    double[] restart(List<RunningAgent> agents) throws Exception {
      int k = Math.max(1, (int) Math.ceil(n * restartPercent / 100));
      long self = ProcessHandle.current().pid();
      double b0 = ProcCpu.millis(brokerPid);
      double s0 = ProcCpu.millis(self);
      long t0 = System.nanoTime();
      List<Future<Void>> stopping = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        stopping.add(agents.get(i).stop());
      }
      for (Future<Void> f : stopping) {
        f.await(90, TimeUnit.SECONDS);
      }
      long t1 = System.nanoTime();
      List<Future<RunningAgent>> starting = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        String host = host(i);
        starting.add(AgentService.start(vertx, config(host),
            (service, sc) -> new TimedDriver(vertx, host, stepMs, probe, "0".repeat(40))));
      }
      for (int i = 0; i < k; i++) {
        agents.set(i, starting.get(i).await(180, TimeUnit.SECONDS));
      }
      long t2 = System.nanoTime();
      double[] round = agentRound(Duration.ofSeconds(180));
      double wall = (System.nanoTime() - t0) / 1e6;
      double[] r = {k, (t1 - t0) / 1e6, (t2 - t1) / 1e6, round[1], 100 * (ProcCpu.millis(brokerPid) - b0) / wall,
          100 * (ProcCpu.millis(self) - s0) / wall};
      System.out.printf(Locale.ROOT, "  A n=%d: %d agents restarted at once: stopped in %.0f ms, started in %.0f ms; the next "
          + "request's last host %.0f ms; over those %.1f s broker %.1f %%, this JVM %.1f %% of one core%n", n, k, r[1], r[2],
          r[3], wall / 1000, r[4], r[5]);
      return r;
    }

    final TimedDriver.Probe probe = new TimedDriver.Probe() {
        @Override
        public void started(String host, String v, long nanos) {
          AtomicLongArray m = marks;
          Integer i = index.get(host);
          if (v.equals(version) && m != null && i != null) {
            m.compareAndSet(i, 0, nanos);
            if (TRACE) {
              org.slf4j.LoggerFactory.getLogger("fleet.probe").warn("{} first step of {}", host, v.substring(0, 8));
            }
          }
        }

        @Override
        public void switched(String host, String v, long nanos) {}
      };

    List<RunningAgent> startAgents() throws Exception {
      List<RunningAgent> agents = new ArrayList<>();
      int batch = Integer.getInteger("fleet.startBatch", 50);
      for (int from = 0; from < n; from += batch) {
        List<Future<RunningAgent>> starting = new ArrayList<>();
        for (int i = from; i < Math.min(n, from + batch); i++) {
          String host = host(i);
          AgentConfig config = config(host);
          starting.add(AgentService.start(vertx, config,
              (service, sc) -> new TimedDriver(vertx, host, stepMs, probe, "0".repeat(40))));
        }
        for (Future<RunningAgent> f : starting) {
          agents.add(f.await(120, TimeUnit.SECONDS));
        }
      }
      return agents;
    }

    AgentConfig config(String host) throws Exception {
      Path state = dir.resolve(host);
      Files.createDirectories(state);
      Path file = state.resolve("agent.yml");
      Files.writeString(file, String.join("\n",
          "hostId: " + host,
          "environment: " + env(n),
          "labels: {zone: z" + (index.get(host) % 3) + "}",
          "kafka: {bootstrapServers: \"" + bootstrap + "\", fetchMaxWaitMs: " + fetchMaxWaitMs + "}",
          "trustedKeys: [\"" + trigger.publicKey + "\"]",
          "stateDirectory: \"" + state + "\"",
          "httpPort: -1",
          "requests: {subscription: " + subscription + "}",
          "services:",
          "  " + SERVICE + ":",
          "    driver: git",
          "    git: {repositoryDirectory: \"" + state + "\", restartCommand: [\"true\"]}",
          "    healthCheck: {type: none}",
          "  " + ROLLING + ":",
          "    driver: git",
          "    git: {repositoryDirectory: \"" + state + "\", restartCommand: [\"true\"]}",
          "    healthCheck: {type: none}",
          ""));
      return AgentConfigs.load(Optional.of(file), Map.of());
    }

    void stop(List<RunningAgent> agents) {
      List<Future<Void>> stopping = agents.stream().map(RunningAgent::stop).toList();
      for (Future<Void> f : stopping) {
        try {
          f.await(90, TimeUnit.SECONDS);
        } catch (Exception e) {
          notes.add("an agent did not stop cleanly: " + e);
        }
      }
    }

    /** One webhook; waits until every host started (and finished) the version. {first, last started, last done, 202} ms. */
    double[] agentRound(Duration timeout) throws Exception {
      String v = newVersion();
      AtomicLongArray m = new AtomicLongArray(n);
      marks = m;
      version = v;
      double c0 = ProcCpu.millis(ProcessHandle.current().pid());
      double b0 = ProcCpu.millis(brokerPid);
      long[] sent = trigger.pushAccepted("acme/web-" + n, v);
      long t0 = sent[0];
      double accepted = sent[1];
      long deadline = System.nanoTime() + timeout.toNanos();
      double toStart = Double.NaN; // this JVM's CPU from before the webhook until every host started
      double toStartBroker = Double.NaN;
      while (System.nanoTime() < deadline && (started(m) < n || outcomes.count(v) < n)) {
        if (Double.isNaN(toStart) && started(m) == n) {
          toStart = ProcCpu.millis(ProcessHandle.current().pid()) - c0;
          toStartBroker = ProcCpu.millis(brokerPid) - b0;
        }
        Thread.sleep(5);
      }
      if (started(m) < n || outcomes.count(v) < n) {
        notes.add(String.format(Locale.ROOT, "n=%d agents: round %s: %d of %d started, %d finished within %s", n,
            v.substring(0, 8), started(m), n, outcomes.count(v), timeout));
      }
      return new double[] {ms(min(m), t0), ms(max(m), t0), ms(outcomes.last(v), t0), accepted,
          (ProcCpu.millis(ProcessHandle.current().pid()) - c0) / n, (ProcCpu.millis(brokerPid) - b0) / n,
          toStart / n, toStartBroker / n};
    }

    // ---- B: bare consumers, own group each --------------------------------------------------------

    void floorBlock(int rounds, boolean measureIdle) throws Exception {
      String run = UUID.randomUUID().toString().substring(0, 8);
      List<KafkaConsumer<String, byte[]>> consumers = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      AtomicBoolean on = new AtomicBoolean(true);
      CountDownLatch ready = new CountDownLatch(n);
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props(bootstrap, "floor-" + run + "-" + i, fetchMaxWaitMs),
            new StringDeserializer(), new ByteArrayDeserializer());
        consumers.add(c);
        int slot = i;
        Thread t = new Thread(() -> {
          c.subscribe(List.of(Topics.REQUESTS), assigned(c, ready));
          try {
            while (on.get()) {
              var records = c.poll(Duration.ofMillis(500));
              if (!records.isEmpty()) {
                long now = System.nanoTime();
                AtomicLongArray m = marks;
                if (m != null) {
                  m.compareAndSet(slot, 0, now);
                }
              }
            }
          } catch (WakeupException e) {
            // stopping
          } finally {
            c.close(Duration.ofSeconds(5));
          }
        }, "floor-" + i);
        threads.add(t);
        t.start();
      }
      if (!ready.await(180, TimeUnit.SECONDS)) {
        notes.add("n=" + n + " floor: not every consumer got its partitions within 180 s");
      }
      System.out.printf(Locale.ROOT, "  B n=%d: %d bare consumers joined in %.0f ms%n", n, n, (System.nanoTime() - t0) / 1e6);
      floorRound(Duration.ofSeconds(60)); // the first request after the joins
      warmUp("B", () -> floorRound(Duration.ofSeconds(60)));
      if (measureIdle) {
        double[] idle = idle();
        idleBrokerFloor = idle[0];
        idleSelfFloor = idle[1];
      }
      for (int r = 0; r < rounds; r++) {
        floorRounds.add(floorRound(Duration.ofSeconds(60)));
      }
      on.set(false);
      consumers.forEach(KafkaConsumer::wakeup);
      for (Thread t : threads) {
        t.join(10_000);
      }
    }

    double[] floorRound(Duration timeout) throws Exception {
      String v = newVersion();
      AtomicLongArray m = new AtomicLongArray(n);
      marks = m;
      version = v;
      double c0 = ProcCpu.millis(ProcessHandle.current().pid());
      double b0 = ProcCpu.millis(brokerPid);
      long[] sent = trigger.pushAccepted("acme/web-" + n, v);
      long t0 = sent[0];
      double accepted = sent[1];
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline && started(m) < n) {
        Thread.sleep(5);
      }
      if (started(m) < n) {
        notes.add(String.format(Locale.ROOT, "n=%d floor: %d of %d received within %s", n, started(m), n, timeout));
      }
      double[] r = {ms(min(m), t0), ms(max(m), t0), 0, accepted,
          (ProcCpu.millis(ProcessHandle.current().pid()) - c0) / n, (ProcCpu.millis(brokerPid) - b0) / n};
      Thread.sleep(300); // let the trigger's own consumers settle before the next webhook
      return r;
    }

    // ---- shared -----------------------------------------------------------------------------------

    /** {broker %, this JVM %} of one core over idleSeconds, after a few seconds of quiet. */
    double[] idle() throws InterruptedException {
      return idleCpu(brokerPid, idleSeconds);
    }

    static int started(AtomicLongArray m) {
      int c = 0;
      for (int i = 0; i < m.length(); i++) {
        if (m.get(i) != 0) {
          c++;
        }
      }
      return c;
    }

    static long min(AtomicLongArray m) {
      long v = Long.MAX_VALUE;
      for (int i = 0; i < m.length(); i++) {
        if (m.get(i) != 0) {
          v = Math.min(v, m.get(i));
        }
      }
      return v == Long.MAX_VALUE ? 0 : v;
    }

    static long max(AtomicLongArray m) {
      long v = 0;
      for (int i = 0; i < m.length(); i++) {
        v = Math.max(v, m.get(i));
      }
      return v;
    }

    static double ms(long nanos, long t0) {
      return nanos == 0 ? Double.NaN : (nanos - t0) / 1e6;
    }

    void report() {
      double[] aFirst = column(agentRounds, 0);
      double[] aLast = column(agentRounds, 1);
      double[] aDone = column(agentRounds, 2);
      double[] a202 = column(agentRounds, 3);
      double[] fFirst = column(floorRounds, 0);
      double[] fLast = column(floorRounds, 1);
      double[] f202 = column(floorRounds, 3);
      System.out.printf(Locale.ROOT, "RESULT n=%d rounds=%d+%d | agents: first started p50 %.0f p99 %.0f, last started "
          + "p50 %.0f p99 %.0f, last done p50 %.0f p99 %.0f, 202 p50 %.0f ms | floor: first got p50 %.0f p99 %.0f, "
          + "last got p50 %.0f p99 %.0f, 202 p50 %.0f ms | last-host ratio agents/floor p50 x%.2f p99 x%.2f | load %s%n",
          n, aLast.length, fLast.length, pct(aFirst, 50), pct(aFirst, 99), pct(aLast, 50), pct(aLast, 99),
          pct(aDone, 50), pct(aDone, 99), pct(a202, 50), pct(fFirst, 50), pct(fFirst, 99), pct(fLast, 50),
          pct(fLast, 99), pct(f202, 50), pct(aLast, 50) / pct(fLast, 50), pct(aLast, 99) / pct(fLast, 99),
          ProcCpu.loadAverage());
      System.out.printf(Locale.ROOT, "DISK n=%d | one state-file write per host, all at once (median of 3, per pair of "
          + "blocks): %s ms | state directories under %s%n", n, durableWrites.stream()
          .map(d -> String.format(Locale.ROOT, "%.0f", d)).collect(java.util.stream.Collectors.joining(", ")), dir);
      System.out.printf(Locale.ROOT, "IDLE n=%d over %d s | broker %% of one core: %.1f with agents, %.1f with bare "
          + "consumers | this JVM: %.1f agents, %.1f bare consumers | load %s%n", n, idleSeconds, idleBrokerAgents,
          idleBrokerFloor, idleSelfAgents, idleSelfFloor, ProcCpu.loadAverage());
      for (double[] r : rolloutRounds) {
        System.out.printf(Locale.ROOT, "ROLLOUT n=%d 4 waves of 25 %% | first host started %.0f, last host started %.0f, "
            + "rollout.succeeded %.0f, last host done %.0f ms%n", n, r[0], r[1], r[2], r[3]);
      }
      for (double[] r : restarts) {
        System.out.printf(Locale.ROOT, "RESTART n=%d %.0f agents at once | stopped in %.0f ms, started again in %.0f ms, next "
            + "request's last host %.0f ms (rounds before: p50 %.0f) | broker %.1f %%, this JVM %.1f %% of one core over it%n",
            n, r[0], r[1], r[2], r[3], pct(aLast, 50), r[4], r[5]);
      }
      System.out.printf(Locale.ROOT, "CPU n=%d per host per request (ms of CPU, median of rounds; whole round) | agents' JVM "
          + "%.2f, broker %.2f | bare consumers' JVM %.2f, broker %.2f%n", n, pct(column(agentRounds, 4), 50),
          pct(column(agentRounds, 5), 50), pct(column(floorRounds, 4), 50), pct(column(floorRounds, 5), 50));
      // The part of it spent before the last host's first step: N times this, over two cores, is the
      // least time the agents' own work (and the broker's) takes when nothing else runs.
      System.out.printf(Locale.ROOT, "CPU-TO-START n=%d per host, from the webhook until every host started (median of "
          + "rounds) | agents' JVM %.2f ms, broker %.2f ms (bare consumers until the last got it: %.2f, %.2f) | x N = "
          + "%.0f ms + %.0f ms of CPU, %.0f ms on %d cores%n", n,
          pct(column(agentRounds, 6), 50), pct(column(agentRounds, 7), 50), pct(column(floorRounds, 4), 50),
          pct(column(floorRounds, 5), 50), n * pct(column(agentRounds, 6), 50),
          n * pct(column(agentRounds, 7), 50), n * (pct(column(agentRounds, 6), 50) + pct(column(agentRounds, 7), 50))
              / Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors());
      System.out.println("  agent rounds (first, last started, last done, 202 ms): " + rows(agentRounds));
      System.out.println("  floor rounds (first, last received, -, 202 ms): " + rows(floorRounds));
      notes.forEach(s -> System.out.println("  NOTE " + s));
    }

    static String rows(List<double[]> rows) {
      StringBuilder out = new StringBuilder();
      for (double[] r : rows) {
        out.append(String.format(Locale.ROOT, "[%.0f %.0f %.0f %.0f] ", r[0], r[1], r[2], r[3]));
      }
      return out.toString();
    }

    static double[] column(List<double[]> rows, int c) {
      return rows.stream().mapToDouble(r -> r[c]).filter(d -> !Double.isNaN(d)).sorted().toArray();
    }

    /** Nearest-rank percentile (with fewer than 100 samples p99 is the maximum). */
    static double pct(double[] sorted, int p) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int rank = (int) Math.ceil(p / 100.0 * sorted.length);
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
  }
}
