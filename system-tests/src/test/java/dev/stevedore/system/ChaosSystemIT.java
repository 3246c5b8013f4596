package dev.stevedore.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.HttpProbe;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos through the whole system: twelve consecutive webhooks for twelve versions, and the agent
 * (its own JVM, from its shaded jar) killed with SIGKILL at a random moment of each deploy (the
 * request recorded, a random step of the cycle, or its end, plus up to 150 ms), then restarted at
 * once on the same state directory, while a probe reads the service every 20 ms. The agent's death
 * is not the versions' fault: the host must end on the newest version with nothing blocked, and
 * the audit log must hold exactly one terminal outcome per deployment, each succeeded. The seed
 * and where each kill landed are printed ({@code -Dchaos.seed=N} repeats a run).
 */
class ChaosSystemIT {
  static final int DEPLOYS = 12;
  static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> STOPS = List.of("recorded", "pull", "up", "health-check", "outcome");
  static final Set<String> TERMINAL = Set.of("deploy.succeeded", "deploy.failed", "deploy.rolled-back", "deploy.skipped");
  static final Path AGENT_JAR = Path.of("..", "deploy-agent", "target", "deploy-agent-0.1.0-SNAPSHOT-all.jar");

  @TempDir Path dir;

  @Test
  void anAgentKilledAtRandomMomentsOfTwelveDeploysFinishesEveryOneAndTheAuditLogShowsEachOnce() throws Exception {
    assertThat(AGENT_JAR).as("the agent's shaded jar (mvn package of deploy-agent)").isRegularFile();
    long seed = Long.getLong("chaos.seed", System.nanoTime());
    Random random = new Random(seed);
    String repository = DockerTestSupport.registry() + "/" + DockerTestSupport.uniqueName("chaos-demo");
    List<String> images = new ArrayList<>();
    try {
      for (int i = 0; i <= DEPLOYS; i++) {
        images.add(buildVersion(dir.resolve("build-" + i), repository, "c" + i));
      }
      Files.createDirectories(dir.resolve("system"));
      try (SystemUnderTest system = new SystemUnderTest(dir.resolve("system"), repository, "c0", false)
               .start(KafkaTestSupport.shared());
           HttpProbe probe = HttpProbe.start(system.demoUrl(), Duration.ofMillis(20))) {
        Path state = dir.resolve("system").resolve("agent-state").resolve("agent-state.json");
        assertThat(probe.awaitBody("c0", Duration.ofSeconds(30))).isTrue();
        probe.reset();
        List<String> kills = new ArrayList<>();
        List<String> deployments = new ArrayList<>();
        Agent agent = Agent.start(system, 0);
        try {
          for (int i = 1; i <= DEPLOYS; i++) {
            Agent running = agent;
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20))
                .until(() -> running.output().contains("consuming as") || !running.alive());
            assertThat(running.alive()).as(running.output()).isTrue();
            HttpResponse<String> response = system.webhook("c" + i, "chaos-" + UUID.randomUUID());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            String deploymentId = new JsonObject(response.body()).getString("deploymentId");
            deployments.add(deploymentId);
            String target = STOPS.get(random.nextInt(STOPS.size()));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(5))
                .until(() -> reached(system, state, target, deploymentId));
            Thread.sleep(random.nextInt(150));
            kills.add("c" + i + ": aimed at " + target + ", died at " + where(system, state, deploymentId));
            agent.kill9();
            agent = Agent.start(system, i);
            Agent restarted = agent;
            JsonObject done;
            try {
              done = await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250))
                  .until(() -> system.audit("/api/v1/deployments/" + deploymentId).orElse(null),
                      d -> d != null && List.of("succeeded", "failed", "rolled-back", "skipped").contains(d.getString("status")));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
              throw new AssertionError("c" + i + " did not finish (" + kills.get(kills.size() - 1) + "); agent alive: "
                  + restarted.alive() + "; its log:\n" + restarted.output(), e);
            }
            assertThat(done.getString("status")).as("c%d (%s): %s", i, kills.get(kills.size() - 1), restarted.output())
                .isEqualTo("succeeded");
          }
          assertThat(probe.awaitBody("c" + DEPLOYS, Duration.ofSeconds(30))).isTrue();
          await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode demo = JSON.readTree(state.toFile()).path("services").path("demo");
            return demo.path("current").path("version").asText().equals("c" + DEPLOYS)
                && demo.path("intent").isNull() && demo.path("desired").isNull();
          });
          assertThat(JSON.readTree(state.toFile()).path("services").path("demo").path("blocked")).isEmpty();
          // the audit log: exactly one terminal outcome per deployment, and it says succeeded
          for (String id : deployments) {
            JsonObject deployment = system.audit("/api/v1/deployments/" + id).orElseThrow();
            long outcomes = deployment.getJsonArray("timeline").stream().map(JsonObject.class::cast)
                .filter(e -> TERMINAL.contains(e.getString("type"))).count();
            assertThat(outcomes).as("terminal outcomes of %s in the audit log: %s", id, deployment.encode()).isEqualTo(1);
            assertThat(deployment.getString("status")).isEqualTo("succeeded");
          }
          JsonObject verify = system.audit("/api/v1/audit/verify").orElseThrow();
          assertThat(verify.getBoolean("ok")).as(verify.encode()).isTrue();
          System.out.printf("[chaos] seed %d; kills: %s%n[chaos] probe: %s; longest gap %d ms%n", seed, kills,
              probe.summary(), probe.longestFailureGap().toMillis());
          assertThat(probe.bodiesSeen()).allMatch(b -> b.matches("c\\d+"));
          // Bounded, not zero: a kill while compose recreates the container leaves it down until the
          // restarted agent runs the deployment again (a JVM start and an `up`).
          assertThat(probe.longestFailureGap()).as(probe.summary()).isLessThan(Duration.ofSeconds(15));
        } finally {
          agent.close();
        }
      }
    } finally {
      for (String image : images) {
        DockerTestSupport.docker("rmi", image);
      }
    }
  }

  /** True once the deployment reached {@code stop} on the agent, or went past it (its outcome is in the audit log). */
  private static boolean reached(SystemUnderTest system, Path state, String stop, String deploymentId) {
    try {
      if (system.audit("/api/v1/deployments/" + deploymentId).map(d -> d.getString("status"))
          .filter(s -> List.of("succeeded", "failed", "rolled-back", "skipped").contains(s)).isPresent()) {
        return true;
      }
      if (stop.equals("outcome")) {
        return false;
      }
      JsonNode demo = JSON.readTree(state.toFile()).path("services").path("demo");
      if (stop.equals("recorded")) {
        return deploymentId.equals(demo.path("desired").path("deploymentId").asText());
      }
      JsonNode intent = demo.path("intent");
      return deploymentId.equals(intent.path("deploymentId").asText()) && stop.equals(intent.path("step").asText());
    } catch (Exception e) {
      return false;   // the state file is being replaced, or the audit not there yet: look again
    }
  }

  private static String where(SystemUnderTest system, Path state, String deploymentId) {
    try {
      JsonNode demo = JSON.readTree(state.toFile()).path("services").path("demo");
      if (deploymentId.equals(demo.path("intent").path("deploymentId").asText())) {
        return demo.path("intent").path("step").asText();
      }
      return deploymentId.equals(demo.path("desired").path("deploymentId").asText()) ? "recorded, no attempt yet"
          : "after the outcome, or before the request was read";
    } catch (Exception e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  /** {@code repository:version}: the demo image whose /version answers {@code version}, pushed to the registry. */
  private static String buildVersion(Path context, String repository, String version) throws Exception {
    Files.createDirectories(context);
    Files.writeString(context.resolve("version"), version);
    Files.writeString(context.resolve("Dockerfile"), "FROM " + DockerTestSupport.registry() + "/"
        + DockerTestSupport.DEMO_REPOSITORY + ":v1\nCOPY version /www/version\n");
    String image = repository + ":" + version;
    DockerTestSupport.run(Duration.ofMinutes(2), context, Map.of("DOCKER_BUILDKIT", "0"),
        List.of(DockerTestSupport.dockerBinary(), "build", "-q", "-t", image, ".")).orThrow();
    DockerTestSupport.dockerOk("push", image);
    return image;
  }

  /** The agent as its own JVM from the shaded jar, with the production JVM options, output to a log file. */
  static final class Agent implements AutoCloseable {
    private final Process process;
    private final Path log;

    private Agent(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    static Agent start(SystemUnderTest system, int n) throws IOException {
      Path log = system.dir.resolve("agent-" + n + ".log");
      List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
          "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", AGENT_JAR.toAbsolutePath().toString(),
          "--config", system.agentConfigFile().toString());
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("STEVEDORE_"));
      return new Agent(pb.start(), log);
    }

    boolean alive() {
      return process.isAlive();
    }

    void kill9() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }

    String output() {
      try {
        return Files.readString(log);
      } catch (IOException e) {
        return "(no log: " + e.getMessage() + ")";
      }
    }

    @Override
    public void close() throws InterruptedException {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(75, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }
}
