package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.RolloutStrategy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.event.AgentHeartbeat;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeployRolledBack;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.RolloutEvent;
import dev.stevedore.common.event.RolloutPolicy;
import dev.stevedore.common.event.RolloutState;
import dev.stevedore.common.event.VersionBlocked;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.common.security.RequestVerifier;
import io.vertx.core.Future;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The coordinator over a fake outbox: what it writes, in which order, and what it refuses to believe. */
class RolloutCoordinatorTest {
  static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  static final String ID = "6b7f4d2e-0000-5000-8000-0000000000aa";
  static final EventCodec CODEC = new EventCodec();
  static final KeyPair KEYS = Ed25519Keys.generate();
  final RequestSigner signer = new RequestSigner(KEYS, CODEC);
  final List<Object> written = new ArrayList<>();
  final Set<String> owned = new HashSet<>(Set.of("production/web"));
  boolean kafkaDown;
  /** Only the requests topic refuses writes (its leader is failing over). */
  boolean requestsDown;
  final Membership membership = new Membership();
  final RolloutMachine machine = new RolloutMachine("t1");
  /** The trace context each request was published with, by event id. */
  final Map<String, dev.stevedore.common.event.TraceContext> traces = new java.util.HashMap<>();

  /** While set, a state record is sent but not acknowledged until the test completes its promise. */
  boolean holdRecords;
  final List<io.vertx.core.Promise<Void>> unacknowledged = new ArrayList<>();

  final RolloutCoordinator.Outbox outbox = new RolloutCoordinator.Outbox() {
    Future<Void> write(Object o) {
      if (kafkaDown) {
        return Future.failedFuture("broker unreachable");
      }
      written.add(o);
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> record(RolloutState signed) {
      if (holdRecords) {
        written.add(signed);
        io.vertx.core.Promise<Void> ack = io.vertx.core.Promise.promise();
        unacknowledged.add(ack);
        return ack.future();
      }
      return write(signed);
    }

    @Override
    public Future<Void> request(DeployRequested signed, java.util.Optional<dev.stevedore.common.event.TraceContext> trace) {
      trace.ifPresent(t -> traces.put(signed.id(), t));
      return request(signed);
    }

    @Override
    public Future<Void> request(DeployRequested signed) {
      if (requestsDown) {
        return Future.failedFuture("timed out waiting for the requests topic");
      }
      return write(signed);
    }

    @Override
    public Future<Void> announce(RolloutEvent signed) {
      return write(signed);
    }

    @Override
    public Future<Void> block(VersionBlocked signed) {
      return write(signed);
    }
  };

  RolloutCoordinator coordinator() {
    return new RolloutCoordinator(machine, membership, signer, new RequestVerifier(List.of(KEYS.getPublic()), CODEC),
        outbox, owned::contains, Duration.ofSeconds(90), "t1", Clock.fixed(NOW, ZoneOffset.UTC));
  }

  void fleet(int n) {
    for (int i = 1; i <= n; i++) {
      membership.heard(new AgentHeartbeat("hb" + i, "stevedore://agent/h" + i, NOW, "h" + i, "production", Map.of(),
          List.of(new AgentHeartbeat.ServiceState("web", "v1", null, "running")), "ok", "0.1"));
    }
  }

  RolloutState pending() {
    RolloutPolicy canary = new RolloutPolicy(RolloutStrategy.CANARY, 1, null, null, 50, null, 1, null, 0, true, 300);
    return signer.sign(machine.pending(ID, "production", "web", "v2", canary, NOW, "manual", "api:ci", "release", null,
        null, null, NOW));
  }

  <T> List<T> of(Class<T> kind) {
    return written.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  @Test
  void theOwnerRecordsTheNewStateBeforeItPublishesTheWaveItImplies() {
    fleet(3);
    RolloutCoordinator c = coordinator();
    c.recorded(pending());
    assertThat(written.get(0)).isInstanceOf(RolloutState.class);
    assertThat(((RolloutState) written.get(0)).phase()).isEqualTo("running");
    assertThat(RequestVerifierHolder.verifies((RolloutState) written.get(0))).isTrue();
    DeployRequested wave = of(DeployRequested.class).get(0);
    assertThat(written.indexOf(wave)).isGreaterThan(0);
    assertThat(wave.target().hosts()).containsExactly("h1");
    assertThat(wave.deploymentId()).isEqualTo(ID);
    assertThat(wave.id()).isEqualTo(RolloutMachine.waveRequestId(ID, 0));
  }

  @Test
  void theWavesOfARolloutCarryTheTraceOfTheRequestThatStartedItAndItsStateKeepsItSigned() {
    fleet(3);
    var trace = new dev.stevedore.common.event.TraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "rojo=00f067aa0ba902b7");
    RolloutPolicy canary = new RolloutPolicy(RolloutStrategy.CANARY, 1, null, null, 50, null, 1, null, 0, true, 300);
    RolloutState pending = signer.sign(machine.pending(ID, "production", "web", "v2", canary, NOW, "manual", "api:ci",
        "release", null, null, null, null, "requested", NOW, java.util.Optional.of(trace)));
    coordinator().recorded(pending);
    RolloutState running = of(RolloutState.class).get(0);
    assertThat(running.trace()).contains(trace);
    assertThat(RequestVerifierHolder.verifies(running)).isTrue();
    DeployRequested wave = of(DeployRequested.class).get(0);
    assertThat(traces).containsEntry(wave.id(), trace);
    // The trace is signed with the state: altering it breaks the signature.
    RolloutState altered = new RolloutState(running.id(), running.source(), running.time(), running.rolloutId(),
        running.environment(), running.service(), running.version(), running.seq(), running.phase(), running.policy(),
        running.requestedAt(), running.trigger(), running.requestedBy(), running.reason(), running.commit(),
        running.branch(), running.repository(), running.waves(), running.currentWave(), running.waveStartedAt(),
        running.bakeUntil(), running.paused(), running.hosts(), running.unreached(), running.detail(),
        running.supersededBy(), running.windowOverride(), "00-11111111111111111111111111111111-00f067aa0ba902b7-01",
        null, running.keyId(), running.signature());
    assertThat(RequestVerifierHolder.verifies(altered)).isFalse();
  }

  @Test
  void aStateWithoutTraceIsSignedOverTheSameBytesAsBefore() {
    String canonical = new String(CODEC.canonicalBytes(pending().unsigned()), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(canonical).doesNotContain("traceparent").doesNotContain("tracestate");
    fleet(3);
    coordinator().recorded(pending());
    assertThat(traces).isEmpty();
  }

  @Test
  void anInstanceThatDoesNotOwnTheKeyKnowsTheRolloutButDoesNothing() {
    fleet(3);
    coordinator().recorded(pending()); // the owner plans it
    RolloutState running = of(RolloutState.class).get(0);
    written.clear();
    owned.clear();
    RolloutCoordinator c = coordinator();
    c.recorded(running);
    c.tick();
    assertThat(written).isEmpty();
    assertThat(c.rollout(ID)).contains(running);
    assertThat(c.command(ID, RolloutMachine.Command.PAUSE, "api:a", null).cause())
        .isInstanceOf(RolloutCoordinator.NotCoordinator.class);
    assertThat(written).isEmpty();
  }

  @Test
  void aCommandThatArrivesWhileAStepIsBeingRecordedIsDecidedOnTheRecordedStateOnceItIsAcknowledged() {
    fleet(3);
    RolloutCoordinator c = coordinator();
    c.recorded(pending());
    holdRecords = true;
    // The canary host succeeds: the coordinator records the next state and waits for the broker's ack.
    c.heard(new dev.stevedore.common.event.DeploySucceeded("o1", "stevedore://agent/h1", NOW, ID, "h1", "web",
        "production", "v2", null, 100, 1, 0L));
    assertThat(unacknowledged).hasSize(1);
    RolloutState next = of(RolloutState.class).get(of(RolloutState.class).size() - 1);
    assertThat(next.seq()).isEqualTo(2);
    assertThat(next.paused()).isFalse();

    Future<RolloutState> pause = c.command(ID, RolloutMachine.Command.PAUSE, "api:ops", "look first");
    Future<RolloutState> again = c.command(ID, RolloutMachine.Command.PAUSE, "api:ops", "twice");
    assertThat(pause.isComplete()).as("neither refused nor decided on the state before the ack").isFalse();
    assertThat(again.isComplete()).isFalse();
    holdRecords = false;
    unacknowledged.get(0).complete();

    assertThat(pause.succeeded()).as(String.valueOf(pause.cause())).isTrue();
    assertThat(pause.result().paused()).isTrue();
    assertThat(pause.result().seq()).isEqualTo(3);
    assertThat(of(RolloutState.class).get(of(RolloutState.class).size() - 1).paused()).isTrue();
    // The second one is decided after the first: the rollout is paused already.
    assertThat(again.failed()).isTrue();
    assertThat(again.cause()).isInstanceOf(IllegalStateException.class).hasMessageContaining("paused already");
  }

  @Test
  void anUnsignedOrForgedStateIsNeverActedOn() {
    fleet(3);
    RolloutCoordinator c = coordinator();
    c.recorded(pending().unsigned());
    c.recorded(new RequestSigner(Ed25519Keys.generate(), CODEC).sign(pending().unsigned()));
    c.tick();
    assertThat(written).isEmpty();
    assertThat(c.rollout(ID)).isEmpty();
  }

  @Test
  void whenTheStateCannotBeRecordedNothingIsPublishedAndTheNextTickDoesIt() {
    fleet(3);
    RolloutCoordinator c = coordinator();
    kafkaDown = true;
    c.recorded(pending());
    assertThat(written).isEmpty();
    kafkaDown = false;
    c.tick();
    assertThat(of(DeployRequested.class)).hasSize(1);
  }

  @Test
  void aWaveRequestThatFailedAfterItsStateWasRecordedIsPublishedOnTheNextTickAndOnlyOnce() {
    fleet(3);
    RolloutCoordinator c = coordinator();
    requestsDown = true;
    c.recorded(pending());
    // the state (wave 0 requested) is on the topic; the request is not, nor what came after it
    assertThat(of(RolloutState.class)).singleElement().satisfies(s -> assertThat(s.phase()).isEqualTo("running"));
    assertThat(of(DeployRequested.class)).isEmpty();
    assertThat(of(RolloutEvent.class).stream().filter(e -> !(e instanceof RolloutState)).map(e -> e.getClass().getSimpleName()))
        .containsExactly("RolloutStarted");
    c.tick();
    assertThat(of(DeployRequested.class)).as("still down: still owed").isEmpty();
    requestsDown = false;
    c.tick();
    assertThat(of(DeployRequested.class)).singleElement().satisfies(r -> {
      assertThat(r.id()).isEqualTo(RolloutMachine.waveRequestId(ID, 0));
      assertThat(r.target().hosts()).containsExactly("h1");
    });
    assertThat(of(RolloutEvent.class).stream().filter(e -> !(e instanceof RolloutState)).map(e -> e.getClass().getSimpleName()))
        .containsExactly("RolloutStarted", "RolloutWaveStarted");
    assertThat(of(RolloutState.class)).as("nothing new to record").hasSize(1);
    c.tick();
    assertThat(of(DeployRequested.class)).as("paid once").hasSize(1);
  }

  @Test
  void aTakeoverPublishesTheWaveUnderWayAgainAsTheSameRequestAndABrokenCanaryBlocksTheVersion() {
    fleet(3);
    RolloutCoordinator first = coordinator();
    first.recorded(pending());
    DeployRequested wave = of(DeployRequested.class).get(0);
    RolloutState recorded = of(RolloutState.class).get(0);
    // A second instance that read the recorded state takes the key over.
    written.clear();
    RolloutCoordinator second = coordinator();
    owned.clear();
    second.recorded(recorded);
    owned.add("production/web");
    second.takeOver(Set.of("production/web"));
    assertThat(of(DeployRequested.class)).containsExactly(wave);
    second.heard(new DeployRolledBack("o1", "stevedore://agent/h1", NOW, ID, "h1", "web", "production", "v2", "v1",
        "health-check", "500", true, 100));
    assertThat(of(VersionBlocked.class)).singleElement().satisfies(b -> {
      assertThat(b.hosts()).containsExactly("h1");
      assertThat(b.blocklistKey()).isEqualTo("production/web/v2");
    });
    assertThat(of(RolloutState.class)).last().satisfies(s -> assertThat(s.phase()).isEqualTo("halted"));
    assertThat(of(DeployRequested.class)).as("no second wave").hasSize(1);
  }

  /** Verifies with the test key. */
  // --- deploy windows

  /** A clock the test moves. */
  static final class MovingClock extends Clock {
    Instant now;

    MovingClock(Instant now) {
      this.now = now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** production is open 13:00-14:00 UTC every day; NOW (12:00) is outside. */
  static final DeployWindows ONE_PM = new DeployWindows(Map.of("production", new RolloutSettings.Windows("wait",
      List.of(new RolloutSettings.Window("lunch", "allow", "0 13 * * *", "UTC", "PT1H")))));

  RolloutCoordinator windowed(MovingClock clock) {
    return new RolloutCoordinator(machine, membership, signer, new RequestVerifier(List.of(KEYS.getPublic()), CODEC),
        outbox, owned::contains, Duration.ofSeconds(90), "t1", clock, ONE_PM);
  }

  void heartbeats(int n, Instant at) {
    for (int i = 1; i <= n; i++) {
      membership.heard(new AgentHeartbeat("hb" + i + at, "stevedore://agent/h" + i, at, "h" + i, "production", Map.of(),
          List.of(new AgentHeartbeat.ServiceState("web", "v1", null, "running")), "ok", "0.1"));
    }
  }

  RolloutState pendingWith(String windowOverride) {
    RolloutPolicy canary = new RolloutPolicy(RolloutStrategy.CANARY, 1, null, null, 50, null, 1, null, 0, true, 300);
    return signer.sign(machine.pending(ID, "production", "web", "v2", canary, NOW, "manual", "api:ci", "release", null,
        null, null, windowOverride, "waiting for a deploy window", NOW));
  }

  @Test
  void aRequestOutsideTheWindowsWaitsAndTheOwnerStartsItAtTheOpening() {
    MovingClock clock = new MovingClock(NOW);
    heartbeats(3, NOW);
    RolloutCoordinator c = windowed(clock);
    c.recorded(pendingWith(null));
    c.tick();
    clock.now = Instant.parse("2026-11-29T12:59:00Z");
    heartbeats(3, clock.now);
    c.tick();
    assertThat(written).isEmpty();
    assertThat(c.rollout(ID).orElseThrow().phase()).isEqualTo("pending");

    clock.now = Instant.parse("2026-11-29T13:00:00Z");
    heartbeats(3, clock.now);
    c.tick();
    assertThat(of(RolloutState.class)).first().satisfies(s -> assertThat(s.phase()).isEqualTo("running"));
    assertThat(of(DeployRequested.class)).singleElement().satisfies(w -> {
      assertThat(w.id()).isEqualTo(RolloutMachine.waveRequestId(ID, 0));
      assertThat(w.time()).isEqualTo(clock.now);
    });
  }

  @Test
  void aWaitingRolloutIsStartedAtTheOpeningByTheInstanceThatTookTheKeyOver() {
    MovingClock clock = new MovingClock(NOW);
    heartbeats(3, NOW);
    owned.clear();
    RolloutCoordinator successor = windowed(clock);
    successor.recorded(pendingWith(null));
    clock.now = Instant.parse("2026-11-29T13:00:30Z");
    heartbeats(3, clock.now);
    successor.tick();
    assertThat(written).isEmpty(); // not its key yet
    owned.add("production/web");
    successor.takeOver(Set.of("production/web"));
    assertThat(of(DeployRequested.class)).hasSize(1);
  }

  @Test
  void aDeployerOverrideStartsAtOnceAndStaysInEveryRecordedState() {
    MovingClock clock = new MovingClock(NOW);
    heartbeats(3, NOW);
    RolloutCoordinator c = windowed(clock);
    c.recorded(pendingWith("by api:ops: outage fix"));
    assertThat(of(DeployRequested.class)).hasSize(1);
    assertThat(of(RolloutState.class)).isNotEmpty()
        .allSatisfy(s -> assertThat(s.windowOverride()).isEqualTo("by api:ops: outage fix"));
  }

  @Test
  void aRequestRecordedWhileOpenStartsEvenIfTheOwnerSeesItAfterTheWindowClosed() {
    MovingClock clock = new MovingClock(Instant.parse("2026-11-29T14:00:05Z"));
    heartbeats(3, clock.now);
    RolloutPolicy canary = new RolloutPolicy(RolloutStrategy.CANARY, 1, null, null, 50, null, 1, null, 0, true, 300);
    Instant inside = Instant.parse("2026-11-29T13:59:59Z");
    RolloutState p = signer.sign(machine.pending(ID, "production", "web", "v2", canary, inside, "manual", "api:ci",
        "release", null, null, null, inside));
    windowed(clock).recorded(p);
    assertThat(of(DeployRequested.class)).hasSize(1);
  }

  static final class RequestVerifierHolder {
    static boolean verifies(RolloutState s) {
      return new RequestVerifier(List.of(KEYS.getPublic()), CODEC).verifies(s);
    }
  }
}
