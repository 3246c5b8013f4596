package dev.stevedore.system;

import dev.stevedore.agent.AgentService;
import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.AuditService;
import dev.stevedore.common.config.ConfigLoader;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.FreePorts;
import dev.stevedore.testing.KafkaTestSupport;
import dev.stevedore.trigger.RunningTrigger;
import dev.stevedore.trigger.TriggerConfig;
import dev.stevedore.trigger.TriggerService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The three services started from YAML config files the way an operator writes them, against a
 * real Kafka broker, with the agent managing a real docker-compose project of the demo app.
 */
final class SystemUnderTest implements AutoCloseable {
  static final String TOKEN = "e2e-" + UUID.randomUUID();
  static final String READER_TOKEN = "reader-" + UUID.randomUUID();
  static final String ENVIRONMENT = "production";
  static final String SERVICE = "demo";

  final Vertx vertx = Vertx.vertx();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final Path dir;
  /** The demo app's image repository and the version that runs before Stevedore is involved. */
  final String repository;
  final String firstVersion;
  /** False: the agent is not started here; its config is {@link #agentConfigFile()}, for a JVM of its own. */
  final boolean agentInProcess;
  final String project = DockerTestSupport.uniqueName("e2e").replace("-", "");
  final int demoPort = FreePorts.find();
  /** The service the agent manages and the webhook deploys ({@link #SERVICE} unless a test names its own). */
  String service = SERVICE;
  /** The agent's heartbeat interval; null: its default. */
  Duration heartbeatInterval;
  RunningTrigger trigger;
  AuditService.RunningAudit audit;
  RunningAgent agent;

  SystemUnderTest(Path dir) {
    this(dir, DockerTestSupport.registry() + "/" + DockerTestSupport.DEMO_REPOSITORY, "v1", true);
  }

  SystemUnderTest(Path dir, String repository, String firstVersion, boolean agentInProcess) {
    this.dir = dir;
    this.repository = repository;
    this.firstVersion = firstVersion;
    this.agentInProcess = agentInProcess;
  }

  /** The agent's YAML config as an operator would write it. */
  Path agentConfigFile() {
    return dir.resolve(AgentConfig.class.getSimpleName() + ".yml");
  }

  String agentHostId() {
    return "host-" + project;
  }

  /** A service name of this test's own (the shared broker carries the other tests' deployments of "demo"). */
  SystemUnderTest withService(String name) {
    this.service = name;
    return this;
  }

  SystemUnderTest withHeartbeatInterval(Duration interval) {
    this.heartbeatInterval = interval;
    return this;
  }

  SystemUnderTest start(KafkaTestSupport kafka) throws Exception {
    kafka.createTopics(Topics.REQUESTS, Topics.EVENTS, Topics.DEAD_LETTERS);
    kafka.createTopic(Topics.HEARTBEATS, 1, Map.of("cleanup.policy", "compact"));
    KeyPair keys = Ed25519Keys.generate();
    Path privateKey = write("trigger-private.pem", Ed25519Keys.toPem(keys.getPrivate()));
    Path publicKey = write("trigger-public.pem", Ed25519Keys.toPem(keys.getPublic()));
    Path demo = Files.createDirectories(dir.resolve("demo"));
    Files.writeString(demo.resolve("docker-compose.yml"), """
        version: "2.4"
        services:
          demo:
            image: %s:${VERSION}
            network_mode: host
            init: true
            environment:
              PORT: "%d"
            labels:
              stevedore.test: "true"
        """.formatted(repository, demoPort));

    String bootstrap = kafka.bootstrapServers();
    TriggerConfig triggerConfig = load(TriggerConfig.class, "trigger-defaults.yml", """
        http: {host: 127.0.0.1, port: 0, opsPort: 0}
        warmUp: {durationMs: 1000, requests: 200} # short: the default (up to 30 s) is for production
        kafka: {bootstrapServers: "%s"}
        signing:
          privateKeyFile: %s
          publicKeyFile: %s
        generic:
          - name: ci
            token: %s
        schedules: {dataDir: %s}
        """.formatted(bootstrap, privateKey, publicKey, TOKEN, dir.resolve("trigger-data")));
    AuditConfig auditConfig = load(AuditConfig.class, "audit-defaults.yml", """
        http: {host: 127.0.0.1, port: 0}
        kafka: {bootstrapServers: "%s"}
        ingest: {groupId: "audit-%s"}
        database: {sqlitePath: %s}
        auth: {readerToken: %s}
        """.formatted(bootstrap, project, dir.resolve("audit.db"), READER_TOKEN));
    AgentConfig agentConfig = load(AgentConfig.class, "agent-defaults.yml", """
        hostId: %s
        environment: %s
        kafka: {bootstrapServers: "%s"}
        trustedKeys: [%s]
        stateDirectory: %s
        httpPort: 0
        %s
        services:
          %s:
            driver: compose
            projectDirectory: %s
            projectName: %s
            composeService: demo
            image: %s
            healthCheck:
              type: http
              url: http://127.0.0.1:%d/version
              expectedStatus: 200
              interval: PT0.1S
              deadline: PT20S
        """.formatted(agentHostId(), ENVIRONMENT, bootstrap, publicKey, dir.resolve("agent-state"),
        heartbeatInterval == null ? "" : "heartbeatInterval: " + heartbeatInterval, service, demo, project,
        repository, demoPort));

    // v1 runs before Stevedore is involved, started by hand as an operator would.
    DockerTestSupport.run(Duration.ofMinutes(2), demo, Map.of("VERSION", firstVersion),
        List.of(DockerTestSupport.composeBinary(), "-p", project, "up", "-d")).orThrow();

    audit = await(AuditService.start(vertx, auditConfig));
    if (agentInProcess) {
      agent = await(AgentService.start(vertx, agentConfig));
    }
    trigger = await(TriggerService.start(vertx, triggerConfig));
    return this;
  }

  String demoUrl() {
    return "http://127.0.0.1:" + demoPort + "/version";
  }

  /** POSTs the generic webhook as CI would; returns status and body. */
  HttpResponse<String> webhook(String version, String delivery) throws Exception {
    String body = new JsonObject().put("service", service).put("environment", ENVIRONMENT).put("version", version)
        .put("commit", "0123456789abcdef0123456789abcdef01234567").put("branch", "main").encode();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + trigger.port() + "/hooks/generic/" + TOKEN))
        .header("Content-Type", "application/json")
        .header("X-Stevedore-Delivery", delivery)
        .timeout(Duration.ofSeconds(15))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** GETs an audit API path with the reader token; empty when it answers 404. */
  Optional<JsonObject> audit(String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + audit.port() + path))
        .header("Authorization", "Bearer " + READER_TOKEN)
        .timeout(Duration.ofSeconds(10))
        .GET().build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException("audit " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return Optional.of(new JsonObject(response.body()));
  }

  private Path write(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  private <T> T load(Class<T> type, String defaults, String yaml) throws Exception {
    Path file = write(type.getSimpleName() + ".yml", yaml);
    return new ConfigLoader(Map.of()).load(type, defaults, Optional.of(file));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    for (Future<Void> stop : new Future[] {
        trigger == null ? null : trigger.stop(), agent == null ? null : agent.stop(), audit == null ? null : audit.stop()}) {
      if (stop != null) {
        stop.toCompletionStage().toCompletableFuture().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
      }
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    DockerTestSupport.run(Duration.ofMinutes(2), dir.resolve("demo"), Map.of("VERSION", firstVersion),
        List.of(DockerTestSupport.composeBinary(), "-p", project, "down", "-v", "--remove-orphans"));
  }
}
