package dev.stevedore.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.DriverKind;
import dev.stevedore.agent.config.HealthCheckConfig;
import dev.stevedore.agent.config.ResilienceConfig;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.config.Strategy;
import dev.stevedore.agent.driver.Driver;
import dev.stevedore.agent.driver.Running;
import dev.stevedore.agent.driver.StepPlan;
import dev.stevedore.agent.driver.StepResult;
import dev.stevedore.agent.health.HealthChecker;
import dev.stevedore.agent.kafka.RequestHandler;
import dev.stevedore.agent.state.AgentState.Phase;
import dev.stevedore.agent.state.AgentState;
import dev.stevedore.agent.state.StateStore;
import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRolledBack;
import dev.stevedore.common.event.DeployCancelled;
import dev.stevedore.common.event.DeploySkipped;
import dev.stevedore.common.event.DeployStarted;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.event.VersionUnblocked;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.common.security.RequestVerifier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reconciler's decisions with a fake driver (real state file, real Vert.x timers): what ends a
 * deployment, what only makes it wait, what blocks a version, and what recovery does after a crash.
 */
class ReconcilerTest {
  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();
  private final EventCodec codec = new EventCodec();
  private final List<String> ran = new CopyOnWriteArrayList<>();
  private volatile Running running = new Running("sha256:old", "r/demo:v1", "sha256:d1", "none", "running");
  /** step name -> how it fails (null: it passes). */
  private final Map<String, StepResult.Fault> failing = new java.util.concurrent.ConcurrentHashMap<>();
  /** How many more times a failing step fails (then it passes); -1: always. */
  private volatile int failures = -1;
  private volatile String waitingFor;
  /** While set, the pull step waits for it: an attempt that runs until the test lets it go on. */
  private volatile io.vertx.core.Promise<Void> holdPull;
  private StateStore store;
  private Reconciler reconciler;
  private AgentConfig config;
  private final java.security.KeyPair triggerKeys = Ed25519Keys.generate();
  private final RequestSigner trigger = new RequestSigner(triggerKeys, codec);
  private final List<String> deadLettered = new CopyOnWriteArrayList<>();
  private Path dir;
  /** The cycle's step gate (a test may hold a step). */
  private StepGate gate = StepGate.OPEN;

  private final class FakeDriver implements Driver {
    @Override
    public Future<Running> inspect() {
      return Future.succeededFuture(running);
    }

    @Override
    public List<StepPlan> forward(String version) {
      return List.of(step("pull", false, null), step("down", true, null),
          step("up", true, new Running("sha256:" + version, "r/demo:" + version, "sha256:d-" + version, "none", "running")));
    }

    @Override
    public List<StepPlan> rollback(String version, Running previous) {
      return List.of(step("rollback", true, previous));
    }

    @Override
    public String waitingFor() {
      return waitingFor;
    }

    private StepPlan step(String name, boolean switches, Running after) {
      return new StepPlan(name, switches, () -> {
        ran.add(name);
        io.vertx.core.Promise<Void> hold = holdPull;
        if (name.equals("pull") && hold != null) {
          holdPull = null;
          return hold.future().map(v -> StepResult.ok("", 1));
        }
        StepResult.Fault fault = failing.get(name);
        if (fault != null && failures != 0) {
          if (failures > 0) {
            failures--;
          }
          return Future.succeededFuture(new StepResult(false, 7, "boom", name + " exited with 7", 1, fault));
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
    this.dir = dir;
    store = StateStore.open(vertx, dir, vertx.createSharedWorkerExecutor("reconciler-test", 1))
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    build(0);
  }

  /** A reconciler on {@link #context}; {@code maxAttempts} 0 means no limit. */
  private void build(int maxAttempts) throws Exception {
    ServiceConfig demo = new ServiceConfig(DriverKind.COMPOSE, "/srv/demo", null, null, null, null, null, null, null, Strategy.RECREATE,
        true, null, HealthCheckConfig.none(), null, null, null);
    ResilienceConfig resilience = new ResilienceConfig(1, null, 0, 0, 0, null, null, null, Duration.ofMillis(50),
        Duration.ofMillis(200), maxAttempts, 2, Duration.ofHours(1));
    config = new AgentConfig("h1", "prod", Map.of(), KafkaSettings.of("k:9092"), List.of(), dir.toString(),
        null, null, null, 0, null, 0, resilience, null, Map.of("demo", demo));
    reconciler = on(() -> {
      EventSink sink = EventSink.into(new dev.stevedore.agent.state.Outbox(store.state(), codec));
      DeployEvents events = new DeployEvents("h1", Clock.systemUTC());
      CycleRunner cycle = new CycleRunner(store, sink, events, new HealthChecker(vertx, WebClient.create(vertx)), gate);
      return Future.succeededFuture(new Reconciler(vertx, config, store, Map.of("demo", new FakeDriver()), cycle, events, sink,
          new SimpleMeterRegistry(), Clock.systemUTC()));
    });
  }

  @AfterEach
  void close() {
    vertx.close();
  }

  /** Runs {@code action} on the reconciler's event loop and waits for its future. */
  private <T> T on(Supplier<Future<T>> action) throws Exception {
    CompletableFuture<T> out = new CompletableFuture<>();
    context.runOnContext(v -> action.get().onComplete(ar -> {
      if (ar.succeeded()) {
        out.complete(ar.result());
      } else {
        out.completeExceptionally(ar.cause());
      }
    }));
    return out.get(10, TimeUnit.SECONDS);
  }

  private void run(Runnable action) throws Exception {
    on(() -> {
      action.run();
      return Future.succeededFuture();
    });
  }

  private AgentState.ServiceRecord record() throws Exception {
    return on(() -> Future.succeededFuture(store.state().service("demo")));
  }

  private List<StevedoreEvent> events() throws Exception {
    return on(() -> {
      List<StevedoreEvent> out = new ArrayList<>();
      try {
        for (AgentState.OutboxEntry e : store.state().outbox) {
          out.add(codec.decode(e.payload.getBytes(StandardCharsets.UTF_8)));
        }
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
      return Future.succeededFuture(out);
    });
  }

  private List<Outcome> outcomes(String deploymentId) throws Exception {
    return events().stream().filter(e -> e instanceof Outcome o && o.deploymentId().equals(deploymentId))
        .map(e -> (Outcome) e).toList();
  }

  private Outcome awaitOutcome(String deploymentId) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !outcomes(deploymentId).isEmpty());
    try {
      List<Outcome> all = outcomes(deploymentId);
      assertThat(all).hasSize(1);
      return all.get(0);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private List<String> steps(String deploymentId) throws Exception {
    return events().stream().filter(e -> e instanceof DeployStep s && s.deploymentId().equals(deploymentId))
        .map(e -> ((DeployStep) e).step()).toList();
  }

  private static DeployJob job(String id, String version) {
    return new DeployJob(id, "demo", "prod", version, Instant.now(), "manual", "stevedore://agent/h1");
  }

  private void submit(DeployJob job) throws Exception {
    on(() -> reconciler.submit(job));
  }

  private void currentIsV1() throws Exception {
    run(() -> store.state().service("demo").current = new AgentState.Release("v1", "sha256:old", "r/demo:v1", "sha256:d1"));
  }

  @Test
  void aSuccessfulDeploymentRecordsTheNewReleaseAndThePreviousOne() throws Exception {
    currentIsV1();
    submit(job("d1", "v2"));
    DeploySucceeded ok = (DeploySucceeded) awaitOutcome("d1");
    assertThat(ok.attempts()).isEqualTo(1);
    assertThat(ran).containsExactly("pull", "down", "up");
    AgentState.ServiceRecord r = record();
    assertThat(r.current.version).isEqualTo("v2");
    assertThat(r.current.imageId).isEqualTo("sha256:v2");
    assertThat(r.previous.imageId).isEqualTo("sha256:old");
    assertThat(r.intent).isNull();
    assertThat(r.desired).isNull();
    assertThat(store.state().processed).containsExactly("d1");
    assertThat(steps("d1")).containsExactly("pull", "down", "up", "health-check");
  }

  /**
   * The desired version and the attempt's journal go to disk in one write, and the first step
   * runs only once that write is done: one fsync before a deployment starts, not two in a row.
   */
  @Test
  void theFirstStepRunsAfterOneWriteThatHoldsBothTheDesiredVersionAndTheJournal() throws Exception {
    currentIsV1();
    io.vertx.core.Promise<Void> hold = io.vertx.core.Promise.promise();
    holdPull = hold;
    long before = store.writes();
    AgentState[] onDiskAtFirstStep = new AgentState[1];
    gate = (when, step) -> {
      if (when.equals("before") && step.equals("pull") && onDiskAtFirstStep[0] == null) {
        try {
          onDiskAtFirstStep[0] = StateStore.read(dir);
        } catch (java.io.IOException e) {
          return Future.failedFuture(e);
        }
      }
      return Future.succeededFuture();
    };
    build(0);
    submit(job("d1", "v2"));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ran.contains("pull"));
    assertThat(store.writes() - before).isEqualTo(1);
    AgentState.ServiceRecord atStep = onDiskAtFirstStep[0].service("demo");
    assertThat(atStep.desired.version).isEqualTo("v2");
    assertThat(atStep.intent.deploymentId).isEqualTo("d1");
    assertThat(atStep.intent.step).isEqualTo("pull");
    run(() -> hold.complete());
    assertThat(awaitOutcome("d1")).isInstanceOf(DeploySucceeded.class);
  }

  @Test
  void aVersionThatIsNotFoundFailsAtOnceAndIsNotBlocked() throws Exception {
    currentIsV1();
    failing.put("pull", StepResult.Fault.VERSION);
    submit(job("d1", "v2"));
    DeployFailed failed = (DeployFailed) awaitOutcome("d1");
    assertThat(ran).containsExactly("pull");
    assertThat(failed.step()).isEqualTo("pull");
    assertThat(failed.exitCode()).isEqualTo(7);
    assertThat(failed.runningVersion()).isEqualTo("v1");
    assertThat(record().blocked).isEmpty();
    assertThat(record().desired).isNull();
  }

  @Test
  void aVersionThatFailsAfterTheSwitchIsRolledBackAndBlockedForAWhile() throws Exception {
    currentIsV1();
    failing.put("up", StepResult.Fault.VERSION);
    submit(job("d1", "v2"));
    DeployRolledBack rb = (DeployRolledBack) awaitOutcome("d1");
    assertThat(ran).containsExactly("pull", "down", "up", "rollback");
    assertThat(rb.failedStep()).isEqualTo("up");
    assertThat(rb.restoredVersion()).isEqualTo("v1");
    assertThat(rb.restoredHealthy()).isTrue();
    assertThat(running.imageId()).isEqualTo("sha256:old");
    AgentState.ServiceRecord r = record();
    assertThat(r.blocked).singleElement().satisfies(b -> {
      assertThat(b.version).isEqualTo("v2");
      assertThat(b.deploymentId).isEqualTo("d1");
      assertThat(Instant.parse(b.until)).isBetween(Instant.now().plusSeconds(3000), Instant.now().plusSeconds(3700));
    });
    assertThat(r.isBlocked("v2", Instant.now())).isTrue();
    assertThat(r.isBlocked("v2", Instant.now().plus(Duration.ofHours(2)))).isFalse();
    assertThat(r.isBlocked("v1", Instant.now())).isFalse();
  }

  private RequestHandler handler() {
    return new RequestHandler(config, codec, new RequestVerifier(List.of(triggerKeys.getPublic()), codec),
        store.state(), reconciler, (key, value, reason, origin) -> {
          deadLettered.add(reason);
          return Future.succeededFuture();
        }, Clock.systemUTC());
  }

  private static VersionUnblocked unblock(String version, String host, Instant time) {
    return new VersionUnblocked(java.util.UUID.randomUUID().toString(), "stevedore://trigger/t1", time,
        java.util.UUID.randomUUID().toString(), "demo", "prod", version,
        new dev.stevedore.common.event.Target("prod", List.of(host), Map.of()), "api:alice", "fixed upstream", null, null);
  }

  private void handle(RequestHandler handler, StevedoreEvent event) throws Exception {
    on(() -> handler.handle("prod/demo", codec.encode(event), Map.of()));
  }

  private void blockV2() throws Exception {
    currentIsV1();
    failing.put("up", StepResult.Fault.VERSION);
    submit(job("d1", "v2"));
    assertThat(awaitOutcome("d1")).isInstanceOf(DeployRolledBack.class);
    assertThat(record().isBlocked("v2", Instant.now())).isTrue();
    failing.clear();
  }

  @Test
  void aSignedUnblockForThisHostLiftsTheBlockRecordsWhoAndWhyAndTheVersionDeploysAgain() throws Exception {
    blockV2();
    RequestHandler handler = handler();
    VersionUnblocked forged = new RequestSigner(Ed25519Keys.generate(), codec).sign(unblock("v2", "h1", Instant.now()));
    VersionUnblocked unsigned = unblock("v2", "h1", Instant.now());
    VersionUnblocked signed = trigger.sign(unblock("v2", "h1", Instant.now()));
    VersionUnblocked tampered = new VersionUnblocked(signed.id(), signed.source(), signed.time(), signed.deploymentId(),
        "demo", "prod", "v2", null, signed.requestedBy(), signed.reason(), signed.keyId(), signed.signature());
    VersionUnblocked elsewhere = trigger.sign(unblock("v2", "h2", Instant.now()));
    for (VersionUnblocked bad : List.of(forged, unsigned, tampered, elsewhere)) {
      handle(handler, bad);
    }
    assertThat(deadLettered).hasSize(3);
    assertThat(deadLettered.get(0)).startsWith("signed by untrusted key");
    assertThat(deadLettered.get(1)).isEqualTo("unsigned request");
    assertThat(deadLettered.get(2)).isEqualTo("signature does not verify");
    assertThat(record().isBlocked("v2", Instant.now())).as("forged, unsigned or other hosts' unblocks").isTrue();
    assertThat(steps("d1")).doesNotContain("unblock");

    handle(handler, signed);
    assertThat(record().blocked).isEmpty();
    DeployStep trace = events().stream().filter(e -> e instanceof DeployStep s && s.step().equals("unblock"))
        .map(e -> (DeployStep) e).findFirst().orElseThrow();
    assertThat(trace.deploymentId()).as("recorded in the deployment that blocked it").isEqualTo("d1");
    assertThat(trace.ok()).isTrue();
    assertThat(trace.outputTail()).contains("v2", "api:alice", "fixed upstream", signed.deploymentId());
    handle(handler, signed); // a redelivery finds nothing to lift and records nothing more
    assertThat(steps("d1").stream().filter("unblock"::equals)).hasSize(1);

    submit(job("d2", "v2"));
    assertThat(awaitOutcome("d2")).isInstanceOf(DeploySucceeded.class);
    assertThat(record().current.version).isEqualTo("v2");
  }

  private static DeployCancelled cancellation(String deploymentId, String service, String environment) {
    return new DeployCancelled(java.util.UUID.randomUUID().toString(), "stevedore://trigger/t1", Instant.now(),
        deploymentId, service, environment, "api:alice", "wrong build");
  }

  @Test
  void onlyACancellationSignedByTheTriggerForTheWaitingRequestWithdrawsIt() throws Exception {
    currentIsV1();
    waitingFor = "waiting for the docker daemon (its circuit breaker is open after repeated failures)";
    submit(job("d1", "v2"));
    RequestHandler handler = handler();
    DeployCancelled unsigned = cancellation("d1", "demo", "prod");
    DeployCancelled forged = new RequestSigner(Ed25519Keys.generate(), codec).sign(cancellation("d1", "demo", "prod"));
    // Signed by the trigger for another service, then re-labelled for this one: a replay for another service.
    DeployCancelled other = trigger.sign(cancellation("d1", "billing", "prod"));
    DeployCancelled replayed = new DeployCancelled(other.id(), other.source(), other.time(), other.deploymentId(),
        "demo", other.environment(), other.requestedBy(), other.reason(), other.keyId(), other.signature());
    DeployCancelled garbled = trigger.sign(cancellation("d1", "demo", "prod"));
    garbled = garbled.withSignature(garbled.keyId(), "%%%not-base64");
    for (DeployCancelled bad : List.of(unsigned, forged, replayed, garbled)) {
      handle(handler, bad);
    }
    on(() -> handler.handle("prod/demo", "{\"type\":\"deploy.cancelled\"".getBytes(StandardCharsets.UTF_8), Map.of()));
    assertThat(deadLettered).hasSize(5);
    assertThat(deadLettered.get(0)).isEqualTo("unsigned request");
    assertThat(deadLettered.get(1)).startsWith("signed by untrusted key");
    assertThat(deadLettered.get(2)).isEqualTo("signature does not verify");
    assertThat(deadLettered.get(3)).isEqualTo("signature is not base64");
    assertThat(deadLettered.get(4)).startsWith("undecodable");
    // Verified, but for another deployment, another environment or a service this host does not manage.
    handle(handler, trigger.sign(cancellation("d9", "demo", "prod")));
    handle(handler, trigger.sign(cancellation("d1", "demo", "staging")));
    handle(handler, other);
    assertThat(deadLettered).hasSize(5);
    assertThat(record().desired).as("nothing above withdraws the waiting request").isNotNull();
    assertThat(record().desired.deploymentId).isEqualTo("d1");
    assertThat(outcomes("d1")).isEmpty();

    handle(handler, trigger.sign(cancellation("d1", "demo", "prod")));
    DeploySkipped skipped = (DeploySkipped) awaitOutcome("d1");
    assertThat(skipped.reason()).isEqualTo("cancelled by api:alice: wrong build");
    assertThat(record().desired).isNull();
    waitingFor = null;
    reconciler.wake();
    handle(handler, trigger.sign(cancellation("d1", "demo", "prod"))); // again: nothing waits, nothing more happens
    assertThat(outcomes("d1")).hasSize(1);
    assertThat(ran).isEmpty();
  }

  @Test
  void aSignedCancellationWithdrawsARequestWaitingBehindTheRunningAttemptOfAnotherButNeverTheRunningOne()
      throws Exception {
    currentIsV1();
    io.vertx.core.Promise<Void> hold = io.vertx.core.Promise.promise();
    holdPull = hold;
    submit(job("d1", "v2"));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ran.contains("pull"));
    submit(job("d2", "v3")); // waits behind d1's attempt
    RequestHandler handler = handler();
    handle(handler, trigger.sign(cancellation("d1", "demo", "prod"))); // d1 runs: not interrupted
    handle(handler, trigger.sign(cancellation("d2", "demo", "prod")));
    DeploySkipped skipped = (DeploySkipped) awaitOutcome("d2");
    assertThat(skipped.reason()).isEqualTo("cancelled by api:alice: wrong build");
    run(() -> hold.complete());
    assertThat(awaitOutcome("d1")).isInstanceOf(DeploySucceeded.class);
    assertThat(record().current.version).isEqualTo("v2");
    assertThat(record().desired).isNull();
    assertThat(ran).containsExactly("pull", "down", "up");
  }

  @Test
  void anUnblockIssuedBeforeTheVersionWasBlockedLiftsNothing() throws Exception {
    Instant before = Instant.now().minusSeconds(60);
    blockV2();
    handle(handler(), trigger.sign(unblock("v2", "h1", before)));
    assertThat(deadLettered).isEmpty();
    assertThat(record().isBlocked("v2", Instant.now())).isTrue();
    assertThat(steps("d1")).doesNotContain("unblock");
  }

  @Test
  void anOutageOnlyMakesItWaitAndTheNextAttemptFinishesTheDeployment() throws Exception {
    currentIsV1();
    failing.put("pull", StepResult.Fault.ENVIRONMENT);
    failures = 2;
    submit(job("d1", "v2"));
    DeploySucceeded ok = (DeploySucceeded) awaitOutcome("d1");
    assertThat(ok.attempts()).isEqualTo(3);
    assertThat(ok.waitedMs()).isPositive();
    assertThat(ran).containsExactly("pull", "pull", "pull", "down", "up");
    // after each failed attempt a "waiting" step says why it waits
    assertThat(steps("d1")).containsExactly("pull", "waiting", "pull", "waiting", "pull", "down", "up", "health-check");
    assertThat(record().blocked).isEmpty();
    assertThat(record().state).isEqualTo(Phase.IDLE);
  }

  @Test
  void anOutageAfterTheSwitchPutsThePreviousReleaseBackWithoutBlockingAndTriesAgain() throws Exception {
    currentIsV1();
    failing.put("up", StepResult.Fault.ENVIRONMENT);
    failures = 1;
    submit(job("d1", "v2"));
    DeploySucceeded ok = (DeploySucceeded) awaitOutcome("d1");
    assertThat(ok.attempts()).isEqualTo(2);
    assertThat(ran).containsExactly("pull", "down", "up", "rollback", "pull", "down", "up");
    assertThat(record().blocked).isEmpty();
    assertThat(record().current.version).isEqualTo("v2");
  }

  @Test
  void anOpenBreakerDelaysTheFirstAttemptWhichRunsOnceTheDependencyAnswers() throws Exception {
    currentIsV1();
    waitingFor = "waiting for registry 127.0.0.1:5000 (its circuit breaker is open after repeated failures)";
    submit(job("d1", "v2"));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> record().state == Phase.WAITING);
    Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> ran.isEmpty());
    assertThat(record().desired.waitReason).contains("registry 127.0.0.1:5000");
    assertThat(outcomes("d1")).isEmpty();
    waitingFor = null;
    reconciler.wake();
    DeploySucceeded ok = (DeploySucceeded) awaitOutcome("d1");
    assertThat(ok.attempts()).isEqualTo(1);
    assertThat(steps("d1")).containsExactly("waiting", "pull", "down", "up", "health-check");
  }

  @Test
  void aNewerRequestReplacesTheOneThatWaitsAndOnlyTheNewestRuns() throws Exception {
    currentIsV1();
    waitingFor = "waiting for the docker daemon (its circuit breaker is open after repeated failures)";
    submit(job("d1", "v2"));
    submit(job("d2", "v3"));
    DeploySkipped skipped = (DeploySkipped) awaitOutcome("d1");
    assertThat(skipped.reason()).contains("superseded by deployment d2");
    waitingFor = null;
    reconciler.wake();
    assertThat(awaitOutcome("d2")).isInstanceOf(DeploySucceeded.class);
    assertThat(record().current.version).isEqualTo("v3");
  }

  @Test
  void aWaitingRequestWithdrawnWhileAnotherAttemptRunsLeavesThatOneTheDesiredVersion() throws Exception {
    currentIsV1();
    Promise<Void> hold = Promise.promise();
    gate = (when, step) -> when.equals("before") && step.equals("up") ? hold.future() : Future.succeededFuture();
    build(0);
    submit(job("d1", "v2"));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ran.contains("down"));
    submit(job("p1", "v3"));
    // a running attempt is never withdrawn; what waits behind it is, and d1 stays the desired version
    assertThat(on(() -> reconciler.cancel("demo", "d1", "no"))).isFalse();
    assertThat(on(() -> reconciler.cancel("demo", "p1", "push withdrawn: test"))).isTrue();
    assertThat(((DeploySkipped) awaitOutcome("p1")).reason()).isEqualTo("push withdrawn: test");
    assertThat(record().desired.deploymentId).isEqualTo("d1");
    run(() -> hold.complete());
    assertThat(awaitOutcome("d1")).isInstanceOf(DeploySucceeded.class);
    assertThat(record().current.version).isEqualTo("v2");
    assertThat(record().desired).isNull();
    assertThat(ran).containsExactly("pull", "down", "up");
  }

  @Test
  void theVersionThatRunsIsANoOpThatSaysSoAndEndsWhatWaited() throws Exception {
    currentIsV1();
    waitingFor = "waiting for the docker daemon (its circuit breaker is open after repeated failures)";
    submit(job("d1", "v2"));
    on(() -> reconciler.alreadyRuns(job("d2", "v1")));
    assertThat(((DeploySkipped) awaitOutcome("d2")).reason()).contains("already runs");
    assertThat(((DeploySkipped) awaitOutcome("d1")).reason()).contains("superseded by deployment d2");
    assertThat(record().desired).isNull();
    assertThat(ran).isEmpty();
  }

  @Test
  void withAnAttemptLimitItGivesUpWithoutBlocking() throws Exception {
    build(2);
    currentIsV1();
    failing.put("pull", StepResult.Fault.ENVIRONMENT);
    submit(job("d1", "v2"));
    DeployFailed failed = (DeployFailed) awaitOutcome("d1");
    assertThat(failed.reason()).contains("gave up after 2 attempts");
    assertThat(failed.attempts()).isEqualTo(2);
    assertThat(record().blocked).isEmpty();
    assertThat(record().desired).isNull();
  }

  @Test
  void aVersionBlockedWhileItWaitedIsNotStarted() throws Exception {
    currentIsV1();
    waitingFor = "waiting for the docker daemon (its circuit breaker is open after repeated failures)";
    submit(job("d1", "v2"));
    run(() -> store.state().service("demo").block("v2", "failed elsewhere", "d0", Instant.now(), Instant.now().plusSeconds(60)));
    waitingFor = null;
    reconciler.wake();
    assertThat(((DeploySkipped) awaitOutcome("d1")).reason()).contains("blocked");
    assertThat(ran).isEmpty();
  }

  @Test
  void theRunningVersionIsNeverBlocked() throws Exception {
    currentIsV1();
    run(() -> store.state().service("demo").block("v1", "x", "d0", Instant.now(), Instant.now().plusSeconds(60)));
    assertThat(record().blocked).isEmpty();
  }

  // ---- recovery after the agent's death ---------------------------------------------------------

  private void intentAt(String step, boolean switched) throws Exception {
    run(() -> {
      AgentState.ServiceRecord r = store.state().service("demo");
      r.current = new AgentState.Release("v1", "sha256:old", "r/demo:v1", "sha256:d1");
      AgentState.Desired d = AgentState.Desired.of(job("d9", "v2"));
      d.attempts = 1;
      d.announced = true;
      d.stepNumber = 2;
      d.firstStartedAt = System.currentTimeMillis();
      r.desired = d;
      AgentState.Intent in = new AgentState.Intent();
      in.deploymentId = "d9";
      in.environment = "prod";
      in.toVersion = "v2";
      in.from = r.current;
      in.step = step;
      in.switched = switched;
      in.stepNumber = 2;
      in.startedAt = System.currentTimeMillis();
      r.intent = in;
    });
  }

  private void restart() throws Exception {
    on(() -> reconciler.recoverAll());
    run(reconciler::resume);
  }

  @Test
  void aDeploymentInterruptedBeforeTheSwitchIsRunAgainAndSucceeds() throws Exception {
    intentAt("pull", false);
    restart();
    DeploySucceeded ok = (DeploySucceeded) awaitOutcome("d9");
    assertThat(ok.attempts()).isEqualTo(2);
    assertThat(ran).containsExactly("pull", "down", "up");
    assertThat(steps("d9")).first().isEqualTo("restarted");
    assertThat(record().blocked).isEmpty();
    assertThat(record().current.version).isEqualTo("v2");
    // numbering goes on where the interrupted attempt stopped: no event id is reused
    assertThat(events().stream().map(StevedoreEvent::id)).doesNotHaveDuplicates()
        .contains(DeploymentIds.eventId("d9", "h1", "step:3:restarted"));
  }

  @Test
  void aDeploymentInterruptedAfterDownIsRunAgainNotRolledBack() throws Exception {
    intentAt("down", true);
    running = Running.absent();
    restart();
    assertThat(awaitOutcome("d9")).isInstanceOf(DeploySucceeded.class);
    assertThat(ran).containsExactly("pull", "down", "up");
    assertThat(record().blocked).isEmpty();
  }

  @Test
  void aDeploymentWhoseNewReleaseRunsIsOnlyHealthCheckedAfterTheRestart() throws Exception {
    intentAt("health-check", true);
    run(() -> store.state().services.get("demo").intent.forwardDone = true);
    running = new Running("sha256:new", "r/demo:v2", "sha256:d2", "none", "running");
    restart();
    assertThat(awaitOutcome("d9")).isInstanceOf(DeploySucceeded.class);
    assertThat(ran).isEmpty();
    assertThat(record().current.version).isEqualTo("v2");
  }

  @Test
  void aRollbackForTheVersionsOwnFailureIsFinishedAndBlocksIt() throws Exception {
    intentAt("rollback", true);
    run(() -> {
      AgentState.Intent in = store.state().services.get("demo").intent;
      in.rollingBack = true;
      in.failedStep = "health-check";
      in.failReason = "health-check failed: HTTP 500";
      in.failFault = StepResult.Fault.VERSION;
    });
    restart();
    DeployRolledBack rb = (DeployRolledBack) awaitOutcome("d9");
    assertThat(rb.failedStep()).isEqualTo("health-check");
    assertThat(ran).containsExactly("rollback");
    assertThat(record().isBlocked("v2", Instant.now())).isTrue();
  }

  @Test
  void anInterruptedDeploymentThatANewerRequestReplacedEndsAsSkippedAndTheNewerRuns() throws Exception {
    intentAt("up", true);
    run(() -> {
      AgentState.Desired newer = AgentState.Desired.of(job("d10", "v3"));
      store.state().services.get("demo").desired = newer;
    });
    running = Running.absent();
    restart();
    assertThat(((DeploySkipped) awaitOutcome("d9")).reason()).contains("superseded by deployment d10");
    assertThat(awaitOutcome("d10")).isInstanceOf(DeploySucceeded.class);
    assertThat(record().current.version).isEqualTo("v3");
    assertThat(record().blocked).isEmpty();
  }

  @Test
  void anAgentThatDiesInEveryAttemptGivesUpWithoutBlocking() throws Exception {
    intentAt("pull", false);
    run(() -> store.state().services.get("demo").desired.restarts = 2);
    restart();
    DeployFailed failed = (DeployFailed) awaitOutcome("d9");
    assertThat(failed.reason()).contains("giving up");
    assertThat(ran).isEmpty();
    assertThat(record().blocked).isEmpty();
  }

  @Test
  void eventIdsAreDeterministic() throws Exception {
    currentIsV1();
    submit(job("d1", "v2"));
    awaitOutcome("d1");
    List<String> ids = events().stream().map(StevedoreEvent::id).toList();
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(events().get(0)).isInstanceOf(DeployStarted.class);
    assertThat(ids.get(0)).isEqualTo(DeploymentIds.eventId("d1", "h1", "started"));
    assertThat(ids.get(1)).isEqualTo(DeploymentIds.eventId("d1", "h1", "step:1:pull"));
    assertThat(ids.get(ids.size() - 1)).isEqualTo(DeploymentIds.eventId("d1", "h1", "outcome"));
  }

  @Test
  void blocksWrittenByAnOlderAgentAreRead() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    AgentState.ServiceRecord r = json.readValue("{\"blocked\":[\"v7\"],\"state\":\"idle\"}", AgentState.ServiceRecord.class);
    assertThat(r.isBlocked("v7", Instant.now())).isTrue();
    assertThat(r.state).isEqualTo(Phase.IDLE);
  }
}
