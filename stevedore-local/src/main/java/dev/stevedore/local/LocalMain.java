package dev.stevedore.local;

import dev.stevedore.common.config.CommandLine;
import dev.stevedore.common.config.CommandLine.Loaded;
import dev.stevedore.common.config.CommandLine.Program;
import dev.stevedore.agent.AgentService;
import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.state.AgentKey;
import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.AuditService;
import dev.stevedore.common.config.ConfigLoader;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.kafka.TopicAdmin;
import dev.stevedore.trigger.RunningTrigger;
import dev.stevedore.trigger.TriggerConfig;
import dev.stevedore.trigger.TriggerService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stevedore on one machine: an embedded Kafka broker, the trigger service, the audit service on
 * SQLite and an agent managing a demo service (Docker when available, else git). Prints the URLs
 * and a ready curl line that deploys the next version; Ctrl-C stops everything.
 */
public final class LocalMain {
  private static final Logger log = LoggerFactory.getLogger(LocalMain.class);

  private final LocalConfig config;
  private final Path dataDir;
  private final List<Runnable> shutdown = new ArrayList<>();

  LocalMain(LocalConfig config) {
    this.config = config;
    this.dataDir = Path.of(config.dataDir()).toAbsolutePath();
  }

  static final Program PROGRAM = new Program("stevedore-local",
      "Stevedore on one machine: embedded Kafka, trigger, audit (SQLite) and an agent with a demo "
          + "service (docs/local.md).");

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != CommandLine.EXIT_OK) {
      System.exit(code);
    }
  }

  /** The whole run, returning the exit code instead of exiting (for tests); holds until stopped. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Loaded<LocalConfig> loaded = CommandLine.load(PROGRAM, args,
        file -> ConfigLoader.fromSystem().load(LocalConfig.class, "local-defaults.yml", file), out, err);
    if (loaded instanceof Loaded.Exit<LocalConfig> exit) {
      return exit.code();
    }
    LocalMain main = new LocalMain(((Loaded.Config<LocalConfig>) loaded).config());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      main.stop();
      stopped.countDown();
    }, "stevedore-local-shutdown"));
    try {
      main.start();
    } catch (Exception e) {
      log.error("Start-up failed: {}", e.getMessage(), e);
      err.println("stevedore-local: start-up failed: " + e.getMessage());
      return CommandLine.EXIT_FAILED;
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return CommandLine.EXIT_OK;
  }

  void start() throws Exception {
    Files.createDirectories(dataDir);
    LocalSecrets secrets = LocalSecrets.loadOrCreate(dataDir.resolve("secrets"));

    String bootstrap = config.kafka().bootstrapServers();
    if (config.kafka().embedded()) {
      EmbeddedKafka kafka = new EmbeddedKafka(kafkaLibs(), dataDir.resolve("kafka"), config.kafka().port(),
          config.kafka().controllerPort());
      shutdown.add(0, kafka::close);
      kafka.start(Duration.ofSeconds(60));
      bootstrap = kafka.bootstrapServers();
    }

    Vertx vertx = Vertx.vertx();
    shutdown.add(0, () -> await(vertx.close(), "vert.x"));
    KafkaSettings kafka = new KafkaSettings(bootstrap, "stevedore-local", 0, 0, 0, config.kafka().properties());
    await(TopicAdmin.ensureTopics(vertx, kafka, 1, (short) 1), "topic creation");

    Demo demo = chooseDemo(vertx);
    demo.prepare(dataDir);
    shutdown.add(0, demo::close);

    Path configs = Files.createDirectories(dataDir.resolve("config"));
    String kafkaYaml = "kafka:\n  bootstrapServers: \"" + bootstrap + "\"\n  properties: " + yamlMap(config.kafka().properties()) + "\n";
    // The agent's own key (made here on the first start, as the agent would): the audit service and
    // the trigger trust it for the host "local" only.
    Path agentState = dataDir.resolve("agent-state");
    AgentKey.loadOrCreate(agentState);
    String trustYaml = "agents:\n  trusted: [{host: local, publicKeyFile: \"" + agentState.resolve(AgentKey.PUBLIC_FILE)
        + "\"}]\n";
    // The audit service believes requests, cancellations and unblocks signed by this trigger's key only.
    String triggerTrustYaml = "trigger:\n  trustedKeysFile: \"" + secrets.publicKeyFile() + "\"\n";
    AuditConfig auditConfig = load(AuditConfig.class, "audit-defaults.yml", configs.resolve("audit.yml"), kafkaYaml + trustYaml + triggerTrustYaml + """
        http: {host: 127.0.0.1, port: %d}
        database: {url: "%s", sqlitePath: "%s", user: "%s", password: "%s"}
        auth: {readerToken: "%s"}
        """.formatted(config.audit().port(), nullToEmpty(config.database().url()), dataDir.resolve("audit.db"),
        nullToEmpty(config.database().user()), nullToEmpty(config.database().password()), secrets.readerToken()));
    AgentConfig agentConfig = load(AgentConfig.class, "agent-defaults.yml", configs.resolve("agent.yml"), kafkaYaml + """
        hostId: local
        environment: %s
        labels: {role: demo}
        trustedKeys: ["%s"]
        stateDirectory: "%s"
        httpPort: %d
        heartbeatInterval: PT10S
        services:
        %s""".formatted(config.environment(), secrets.publicKeyFile(), dataDir.resolve("agent-state"),
        config.agent().port(), demo.agentServiceYaml()));
    TriggerConfig triggerConfig = load(TriggerConfig.class, "trigger-defaults.yml", configs.resolve("trigger.yml"),
        kafkaYaml + trustYaml + """
        http: {host: 127.0.0.1, port: %d, opsPort: %d}
        warmUp: {durationMs: 3000} # one developer's webhooks: a short start-up warm-up (production: up to 30 s)
        signing: {privateKeyFile: "%s", publicKeyFile: "%s"}
        generic:
          - name: local
            tokenFile: "%s"
        schedules: {dataDir: "%s"}
        """.formatted(config.trigger().port(), triggerOpsPort(config.trigger().port()), secrets.privateKeyFile(),
        secrets.publicKeyFile(),
        secrets.webhookTokenFile(), dataDir.resolve("trigger")));

    AuditService.RunningAudit audit = await(AuditService.start(vertx, auditConfig), "audit service");
    shutdown.add(0, () -> await(audit.stop(), "audit service"));
    RunningAgent agent = await(AgentService.start(vertx, agentConfig), "agent");
    shutdown.add(0, () -> await(agent.stop(), "agent"));
    RunningTrigger trigger = await(TriggerService.start(vertx, triggerConfig), "trigger service");
    shutdown.add(0, () -> await(trigger.stop(), "trigger service"));

    Banner banner = new Banner(config, demo, trigger.port(), trigger.opsPort(), audit.port(), secrets);
    FirstDeploy.ensureRunning(banner, demo, config.demo().firstVersion());
    System.out.println(banner.text());
    System.out.flush();
  }

  private Demo chooseDemo(Vertx vertx) {
    String mode = config.demo().mode();
    if (!"git".equals(mode)) {
      DockerDemo.Availability docker = DockerDemo.probe(config.demo());
      if (docker.demo().isPresent()) {
        return docker.demo().get();
      }
      if ("docker".equals(mode)) {
        throw new IllegalStateException("demo.mode is docker but " + docker.reason());
      }
      String message = "Docker is not usable here: " + docker.reason()
          + ". Running the demo with the git driver instead (a real git checkout deploy).";
      log.warn(message);
      System.out.println("NOTE: " + message);
    }
    return new GitDemo(config.demo(), vertx);
  }

  private Path kafkaLibs() {
    List<Path> candidates = new ArrayList<>();
    if (config.kafka().libs() != null && !config.kafka().libs().isBlank()) {
      candidates.add(Path.of(config.kafka().libs()));
    }
    candidates.add(Path.of("kafka-broker", "target", "libs"));
    try {
      Path jar = Path.of(LocalMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // stevedore-local/target/stevedore-local-*.jar -> kafka-broker/target/libs
      candidates.add(jar.getParent().getParent().getParent().resolve("kafka-broker").resolve("target").resolve("libs"));
    } catch (Exception e) {
      log.debug("cannot locate the launcher jar", e);
    }
    return candidates.stream().filter(Files::isDirectory).findFirst().orElse(candidates.get(0));
  }

  private static <T> T load(Class<T> type, String defaults, Path file, String yaml) throws Exception {
    Files.writeString(file, "# Written by stevedore-local at start-up; edit local-defaults.yml settings instead.\n" + yaml);
    return new ConfigLoader(Map.of()).load(type, defaults, Optional.of(file));
  }

  private static String yamlMap(Map<String, String> map) {
    StringBuilder out = new StringBuilder("{");
    map.forEach((k, v) -> out.append(out.length() > 1 ? ", " : "").append('"').append(k).append("\": \"")
        .append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"'));
    return out.append('}').toString();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  static <T> T await(Future<T> future, String what) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException(what + ": " + cause.getMessage(), cause);
    }
  }

  /** Stops everything in the reverse order of start. */
  void stop() {
    for (Runnable step : shutdown) {
      try {
        step.run();
      } catch (RuntimeException e) {
        log.warn("while stopping: {}", e.getMessage());
      }
    }
    shutdown.clear();
    System.out.println("Stevedore stopped.");
  }

  /** The trigger's management port: 9180, or ephemeral when the trigger's own port is (tests) or is 9180. */
  static int triggerOpsPort(int triggerPort) {
    return triggerPort == 0 || triggerPort == 9180 ? 0 : 9180;
  }
}
