package dev.stevedore.agent.it;

import dev.stevedore.agent.AgentService;
import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.DriverKind;
import dev.stevedore.agent.config.HealthCheckConfig;
import dev.stevedore.agent.config.HealthCheckType;
import dev.stevedore.agent.config.ResilienceConfig;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.config.Strategy;
import dev.stevedore.agent.config.TestHooks;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.event.Target;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.FreePorts;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Shared pieces of the agent's integration tests: the shared Kafka broker, a trigger key pair and
 * signer, demo compose projects (host network, a free port, init), agent configs, request sending.
 */
public final class AgentFixture {
  public static final EventCodec CODEC = new EventCodec();
  public static final KeyPair TRIGGER_KEYS = Ed25519Keys.generate();
  public static final RequestSigner SIGNER = new RequestSigner(TRIGGER_KEYS, CODEC);
  public static final String ENV = "prod";
  public static final Duration CMD = Duration.ofMinutes(2);

  private AgentFixture() {}

  public static KafkaTestSupport kafka() {
    KafkaTestSupport kafka = KafkaTestSupport.shared();
    kafka.createTopics(Topics.REQUESTS, Topics.EVENTS, Topics.DEAD_LETTERS);
    kafka.createTopic(Topics.HEARTBEATS, 1, Map.of("cleanup.policy", "compact"));
    return kafka;
  }

  public static String demoRepository() {
    return DockerTestSupport.registry() + "/" + DockerTestSupport.DEMO_REPOSITORY;
  }

  /** A compose project of the demo app in its own folder; {@link #up(String)} starts a version by hand. */
  public static final class DemoProject implements AutoCloseable {
    public final Path dir;
    public final String project;
    public final int port;
    public final String repository;
    /** Extra environment of every compose and docker command (e.g. DOCKER_HOST of another engine). */
    private final Map<String, String> dockerEnv;

    public DemoProject(Path dir, String repository, String extraServices) throws Exception {
      this(dir, repository, extraServices, Map.of());
    }

    public DemoProject(Path dir, String repository, String extraServices, Map<String, String> dockerEnv) throws Exception {
      this.dockerEnv = Map.copyOf(dockerEnv);
      this.dir = dir;
      this.project = DockerTestSupport.uniqueName("agentit").replace("-", "");
      this.port = FreePorts.find();
      this.repository = repository;
      Files.writeString(dir.resolve("docker-compose.yml"), """
          version: "2.4"
          services:
            demo:
              image: %s:${VERSION:-v1}
              network_mode: host
              init: true
              environment:
                PORT: "${PORT}"
              labels:
                stevedore.test: "true"
          %s""".formatted(repository, extraServices == null ? "" : extraServices));
    }

    public DemoProject(Path dir) throws Exception {
      this(dir, demoRepository(), null);
    }

    public Map<String, String> env(String version) {
      Map<String, String> env = new java.util.HashMap<>(dockerEnv);
      env.put("VERSION", version);
      env.put("PORT", String.valueOf(port));
      return env;
    }

    /** Starts {@code version} with docker-compose directly (what ran before the agent). */
    public void up(String version) {
      DockerTestSupport.run(CMD, dir, env(version),
          List.of(DockerTestSupport.composeBinary(), "-p", project, "up", "-d")).orThrow();
    }

    /** What the agent passes to compose for this project: the port, and the docker environment. */
    public Map<String, String> serviceEnvironment() {
      Map<String, String> env = new java.util.HashMap<>(dockerEnv);
      env.put("PORT", String.valueOf(port));
      return env;
    }

    public String url(String path) {
      return "http://127.0.0.1:" + port + path;
    }

    public ServiceConfig service(String strategy, ServiceConfig.HooksConfig hooks, Duration healthDeadline) {
      return new ServiceConfig(DriverKind.COMPOSE, dir.toString(), null, project, "demo", null, null, repository,
          serviceEnvironment(), Strategy.of(strategy), true, List.of(),
          new HealthCheckConfig(HealthCheckType.HTTP, url("/health"), 200, Duration.ofMillis(100), healthDeadline), hooks, null, null);
    }

    @Override
    public void close() {
      DockerTestSupport.run(CMD, dir, env("v1"), List.of(DockerTestSupport.composeBinary(), "-p", project, "down", "-v",
          "--remove-orphans"));
    }
  }

  public static AgentConfig config(KafkaTestSupport kafka, String hostId, Path stateDir, Map<String, ServiceConfig> services) {
    return config(kafka, hostId, stateDir, services, new ResilienceConfig(3, Duration.ofMillis(200), 50, 10, 3,
        Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofMillis(500)));
  }

  public static AgentConfig config(KafkaTestSupport kafka, String hostId, Path stateDir, Map<String, ServiceConfig> services,
      ResilienceConfig resilience) {
    return new AgentConfig(hostId, ENV, Map.of("role", "web"),
        new KafkaSettings(kafka.bootstrapServers(), "it-agent", 5_000, 10_000, 100, Map.of()),
        List.of(Ed25519Keys.toPem(TRIGGER_KEYS.getPublic())), stateDir.toString(), "auto", null, "127.0.0.1", 0,
        Duration.ofSeconds(2), 0, resilience, TestHooks.none(), services);
  }

  public static String hostId() {
    return "it-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public static RunningAgent start(Vertx vertx, AgentConfig config) throws Exception {
    return AgentService.start(vertx, config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  public static DeployRequested request(String service, String version, String hostId) {
    String id = UUID.randomUUID().toString();
    return new DeployRequested(UUID.randomUUID().toString(), "stevedore://trigger/it", Instant.now(), id, service, ENV,
        version, null, null, null, "it", "manual", null, new Target(ENV, List.of(hostId), Map.of()), null, null);
  }

  public static DeployRequested send(KafkaTestSupport kafka, DeployRequested request) {
    return send(kafka, request, Map.of());
  }

  /** Signed, with CloudEvents extension attributes (outside what is signed, as the trigger writes them). */
  public static DeployRequested send(KafkaTestSupport kafka, DeployRequested request, Map<String, ?> extensions) {
    DeployRequested signed = SIGNER.sign(request);
    kafka.send(Topics.REQUESTS, signed.partitionKey(),
        new String(CODEC.encode(signed, extensions), StandardCharsets.UTF_8));
    return signed;
  }

  public static List<StevedoreEvent> decodeAll(List<String> values) {
    List<StevedoreEvent> out = new ArrayList<>();
    for (String v : values) {
      try {
        out.add(CODEC.decode(v.getBytes(StandardCharsets.UTF_8)));
      } catch (Exception e) {
        throw new IllegalStateException("an agent event does not decode: " + v, e);
      }
    }
    return out;
  }
}
