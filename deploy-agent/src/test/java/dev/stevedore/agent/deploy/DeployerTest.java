package dev.stevedore.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.HealthCheckConfig;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.driver.Driver;
import dev.stevedore.agent.driver.Running;
import dev.stevedore.agent.driver.StepPlan;
import dev.stevedore.agent.driver.StepResult;
import dev.stevedore.agent.health.HealthChecker;
import dev.stevedore.agent.state.AgentState;
import dev.stevedore.agent.state.Outbox;
import dev.stevedore.agent.state.StateStore;
import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRolledBack;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.kafka.KafkaSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cycle's decisions with a fake driver: what fails where, what rolls back, what recovery does. */
class DeployerTest {
  private final Vertx vertx = Vertx.vertx();
  private final EventCodec codec = new EventCodec();
  private final List<String> ran = new ArrayList<>();
  private Running running = new Running("sha256:old", "r/demo:v1", "sha256:d1", "none", "running");
  private String failAt;
  private StateStore store;
  private Deployer deployer;

  /** A driver whose steps only record themselves; {@link #failAt} fails one; up/rollback change what runs. */
  private final class FakeDriver implements Driver {
    @Override
    public Future<Running> inspect() {
      return Future.succeededFuture(running);
    }

    @Override
    public List<StepPlan> forward(String version) {
      return List.of(step("pull", false, null), step("down", true, null),
          step("up", true, new Running("sha256:new", "r/demo:" + version, "sha256:d2", "none", "running")));
    }

    @Override
    public List<StepPlan> rollback(String version, Running previous) {
      return List.of(step("rollback", true, previous));
    }

    @Override
    public boolean switches(String step) {
      return !step.equals("pull");
    }

    private StepPlan step(String name, boolean switches, Running after) {
      return new StepPlan(name, switches, () -> {
        ran.add(name);
        if (name.equals(failAt)) {
          return Future.succeededFuture(new StepResult(false, 7, "boom", name + " exited with 7", 1));
        }
        if (after != null) {
          running = after;
        }
        return Future.succeededFuture(StepResult.ok("", 1));
      });
    }
  }

  @BeforeEach
  void setUp(@TempDir Path dir) throws Exception {
    ServiceConfig demo = new ServiceConfig("compose", "/srv/demo", null, null, null, null, null, null, null, "recreate",
        true, null, HealthCheckConfig.none(), null, null, null);
    AgentConfig config = new AgentConfig("h1", "prod", Map.of(), KafkaSettings.of("k:9092"), List.of(), dir.toString(),
        null, null, null, 0, null, 0, null, null, Map.of("demo", demo));
    store = StateStore.open(vertx, dir, vertx.createSharedWorkerExecutor("deployer-test", 1))
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    deployer = new Deployer(vertx, config, store, new Outbox(store.state(), codec), () -> { },
        Map.of("demo", new FakeDriver()), new HealthChecker(vertx, WebClient.create(vertx)), new SimpleMeterRegistry());
  }

  @AfterEach
  void close() {
    vertx.close();
  }

  private void await(Future<Void> f) throws Exception {
    f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private List<StevedoreEvent> events() throws Exception {
    List<StevedoreEvent> out = new ArrayList<>();
    for (AgentState.OutboxEntry e : store.state().outbox) {
      out.add(codec.decode(e.payload.getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  private static DeployJob job(String id, String version) {
    return new DeployJob(id, "demo", "prod", version, Instant.now(), "manual", "stevedore://agent/h1");
  }

  @Test
  void aSuccessfulDeploymentRecordsTheNewReleaseAndThePreviousOne() throws Exception {
    await(deployer.deploy(job("d1", "v2")));
    assertThat(ran).containsExactly("pull", "down", "up");
    AgentState.ServiceRecord r = store.state().services.get("demo");
    assertThat(r.current.version).isEqualTo("v2");
    assertThat(r.current.imageId).isEqualTo("sha256:new");
    assertThat(r.previous.imageId).isEqualTo("sha256:old");
    assertThat(r.intent).isNull();
    assertThat(store.state().processed).containsExactly("d1");
    List<StevedoreEvent> events = events();
    assertThat(events.get(events.size() - 1)).isInstanceOf(DeploySucceeded.class);
    assertThat(events.stream().filter(e -> e instanceof DeployStep).map(e -> ((DeployStep) e).step()))
        .containsExactly("pull", "down", "up", "health-check");
  }

  @Test
  void aFailedPullChangesNothing() throws Exception {
    failAt = "pull";
    await(deployer.deploy(job("d1", "v2")));
    assertThat(ran).containsExactly("pull");
    DeployFailed failed = (DeployFailed) events().get(events().size() - 1);
    assertThat(failed.step()).isEqualTo("pull");
    assertThat(failed.exitCode()).isEqualTo(7);
    assertThat(failed.runningVersion()).isEqualTo("v1");
    assertThat(store.state().services.get("demo").blocked).isEmpty();
  }

  @Test
  void aFailureAfterTheSwitchRollsBackAndBlocksTheVersion() throws Exception {
    failAt = "up";
    await(deployer.deploy(job("d1", "v2")));
    assertThat(ran).containsExactly("pull", "down", "up", "rollback");
    DeployRolledBack rb = (DeployRolledBack) events().get(events().size() - 1);
    assertThat(rb.failedStep()).isEqualTo("up");
    assertThat(rb.restoredVersion()).isEqualTo("v1");
    assertThat(rb.restoredHealthy()).isTrue();
    assertThat(running.imageId()).isEqualTo("sha256:old");
    assertThat(store.state().services.get("demo").blocked).containsExactly("v2");
  }

  private void intentAt(String step) {
    AgentState.ServiceRecord r = store.state().service("demo");
    r.current = new AgentState.Release("v1", "sha256:old", "r/demo:v1", "sha256:d1");
    AgentState.Intent in = new AgentState.Intent();
    in.deploymentId = "d9";
    in.environment = "prod";
    in.toVersion = "v2";
    in.from = r.current;
    in.step = step;
    in.stepNumber = 2;
    in.startedAt = System.currentTimeMillis();
    r.intent = in;
  }

  @Test
  void recoveryBeforeTheSwitchReportsFailedAndRunsNothing() throws Exception {
    intentAt("pull");
    await(deployer.recover("demo"));
    assertThat(ran).isEmpty();
    DeployFailed failed = (DeployFailed) events().get(events().size() - 1);
    assertThat(failed.reason()).contains("restarted during pull");
    assertThat(store.state().processed).containsExactly("d9");
    assertThat(store.state().services.get("demo").intent).isNull();
  }

  @Test
  void recoveryAfterUpWithTheNewReleaseRunningFinishesIt() throws Exception {
    intentAt("up");
    running = new Running("sha256:new", "r/demo:v2", "sha256:d2", "none", "running");
    await(deployer.recover("demo"));
    assertThat(ran).isEmpty();
    assertThat(events().get(events().size() - 1)).isInstanceOf(DeploySucceeded.class);
    assertThat(store.state().services.get("demo").current.version).isEqualTo("v2");
    assertThat(((DeployStep) events().get(0)).id()).isNotBlank();
  }

  @Test
  void recoveryAfterDownRollsBack() throws Exception {
    intentAt("down");
    running = Running.absent();
    await(deployer.recover("demo"));
    assertThat(ran).containsExactly("rollback");
    DeployRolledBack rb = (DeployRolledBack) events().get(events().size() - 1);
    assertThat(rb.restoredVersion()).isEqualTo("v1");
    assertThat(running.imageId()).isEqualTo("sha256:old");
  }

  @Test
  void eventIdsAreDeterministic() throws Exception {
    await(deployer.deploy(job("d1", "v2")));
    List<String> ids = events().stream().map(StevedoreEvent::id).toList();
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(ids.get(0)).isEqualTo(dev.stevedore.common.event.DeploymentIds.eventId("d1", "h1", "started"));
    assertThat(ids.get(1)).isEqualTo(dev.stevedore.common.event.DeploymentIds.eventId("d1", "h1", "step:1:pull"));
    assertThat(ids.get(ids.size() - 1)).isEqualTo(dev.stevedore.common.event.DeploymentIds.eventId("d1", "h1", "outcome"));
  }
}
