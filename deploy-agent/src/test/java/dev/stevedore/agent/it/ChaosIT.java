package dev.stevedore.agent.it;

import static dev.stevedore.agent.it.AgentFixture.request;
import static dev.stevedore.agent.it.AgentFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.agent.state.StateStore;
import dev.stevedore.common.event.AgentEvent;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeployStarted;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.HttpProbe;
import dev.stevedore.testing.KafkaTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos: the agent (its own JVM) is killed with SIGKILL at a random moment of each of twelve
 * consecutive deploys of different versions, and restarted at once on the same state directory,
 * while a probe reads the service every 20 ms. The agent's death is not the versions' fault: each
 * deployment must end exactly once, as succeeded, the host must end on the newest version, and no
 * version may be blocked. The seed and where each kill landed are printed, so a failing run can be
 * repeated ({@code -Dchaos.seed=N}).
 */
class ChaosIT {
  static final int DEPLOYS = 12;
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void anAgentKilledAtRandomMomentsOfTwelveDeploysFinishesEveryOneAndBlocksNothing(@TempDir Path dir) throws Exception {
    KafkaTestSupport kafka = AgentFixture.kafka();
    long seed = Long.getLong("chaos.seed", System.nanoTime());
    Random random = new Random(seed);
    String repository = DockerTestSupport.registry() + "/" + DockerTestSupport.uniqueName("chaos-demo");
    List<String> images = new ArrayList<>();
    try (EventCollector events = new EventCollector(kafka, Topics.EVENTS)) {
      for (int i = 0; i <= DEPLOYS; i++) {
        images.add(buildVersion(dir.resolve("build-" + i), repository, "c" + i));
      }
      Files.createDirectories(dir.resolve("demo"));
      Path state = dir.resolve("state");
      String host = AgentFixture.hostId();
      try (AgentFixture.DemoProject demo = new AgentFixture.DemoProject(dir.resolve("demo"), repository, null);
           HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(20))) {
        demo.up("c0");
        assertThat(probe.awaitBody("c0", Duration.ofSeconds(20))).isTrue();
        probe.reset();
        List<String> kills = new ArrayList<>();
        List<DeployRequested> requests = new ArrayList<>();
        AgentProcess agent = AgentProcess.start(dir, "agent-0", config(host, state, demo, kafka), "128m");
        try {
          for (int i = 1; i <= DEPLOYS; i++) {
            AgentProcess running = agent;
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> running.output().contains("consuming as") || !running.alive());
            assertThat(running.alive()).as(running.output()).isTrue();
            DeployRequested request = send(kafka, request("demo", "c" + i, host));
            requests.add(request);
            Thread.sleep(random.nextInt(1_500));   // the chaos: a random moment of the deploy (about 1.2 s)
            kills.add("c" + i + ": " + where(state, request.deploymentId(), events));
            agent.kill9();
            agent.close();
            agent = AgentProcess.start(dir, "agent-" + i, config(host, state, demo, kafka), "128m");
            Outcome outcome = events.awaitOutcome(request.deploymentId(), Duration.ofSeconds(120));
            assertThat(outcome).as("c%d after a kill at %s: %s", i, kills.get(kills.size() - 1), agent.output())
                .isInstanceOf(DeploySucceeded.class);
          }
          assertThat(probe.awaitBody("c" + DEPLOYS, Duration.ofSeconds(30))).isTrue();
          AgentProcess last = agent;
          Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode demoState = JSON.readTree(state.resolve(StateStore.FILE).toFile()).path("services").path("demo");
            return demoState.path("current").path("version").asText().equals("c" + DEPLOYS)
                && demoState.path("intent").isNull() && demoState.path("desired").isNull();
          });
          JsonNode demoState = JSON.readTree(state.resolve(StateStore.FILE).toFile()).path("services").path("demo");
          assertThat(demoState.path("blocked")).as(last.output()).isEmpty();
          for (DeployRequested r : requests) {
            List<AgentEvent> all = events.of(r.deploymentId());
            assertThat(all.stream().filter(e -> e instanceof Outcome).map(AgentEvent::id).distinct())
                .as("terminal outcomes of %s", r.version()).hasSize(1);
            assertThat(all.stream().filter(e -> e instanceof DeployStarted).map(AgentEvent::id).distinct()).hasSize(1);
          }
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

  /** Where the agent was when it was killed: the step of its journal, or how far the deployment got. */
  private static String where(Path state, String deploymentId, EventCollector events) {
    try {
      JsonNode demo = JSON.readTree(state.resolve(StateStore.FILE).toFile()).path("services").path("demo");
      if (!demo.path("intent").isNull() && !demo.path("intent").isMissingNode()) {
        return demo.path("intent").path("step").asText();
      }
      if (!events.outcomes(deploymentId).isEmpty()) {
        return "after the outcome";
      }
      return demo.path("desired").isNull() || demo.path("desired").isMissingNode() ? "before the request was read"
          : "request recorded, no attempt yet";
    } catch (Exception e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  /** {@code repository:version}: the demo image whose /version answers {@code version}, pushed to the registry. */
  private static String buildVersion(Path context, String repository, String version) throws Exception {
    Files.createDirectories(context);
    Files.writeString(context.resolve("version"), version);
    Files.writeString(context.resolve("Dockerfile"), "FROM " + DockerTestSupport.demoImage("v1") + "\n"
        + "COPY version /www/version\n");
    String image = repository + ":" + version;
    DockerTestSupport.run(Duration.ofMinutes(2), context, Map.of("DOCKER_BUILDKIT", "0"),
        List.of(DockerTestSupport.dockerBinary(), "build", "-q", "-t", image, ".")).orThrow();
    DockerTestSupport.dockerOk("push", image);
    return image;
  }

  static Map<String, Object> config(String host, Path state, AgentFixture.DemoProject demo, KafkaTestSupport kafka) {
    return CrashRecoveryIT.config(host, state, demo, null, kafka, "default");
  }
}
