package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.RolloutStrategy;
import dev.stevedore.trigger.core.PublishOptions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.event.AgentHeartbeat;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.RolloutPolicy;
import dev.stevedore.common.event.RolloutState;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.event.Target;
import dev.stevedore.common.event.VersionBlocked;
import dev.stevedore.common.event.VersionUnblocked;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.EventVerifier;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.common.security.RequestVerifier;
import io.vertx.core.Future;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The request path (blocked, all-at-once, rollout) and what the fleet feed believes. */
class RolloutSinkAndFeedTest {
  static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  static final EventCodec CODEC = new EventCodec();
  static final KeyPair OWN = Ed25519Keys.generate();
  static final KeyPair STRANGER = Ed25519Keys.generate();
  final RequestSigner own = new RequestSigner(OWN, CODEC);
  final RequestVerifier verifier = new RequestVerifier(List.of(OWN.getPublic()), CODEC);
  final Blocklist blocklist = new Blocklist();
  final List<DeployRequested> direct = new ArrayList<>();
  final List<RolloutState> recorded = new ArrayList<>();
  final List<StevedoreEvent> heard = new ArrayList<>();
  final FleetFeed feed = new FleetFeed(new EventVerifier(List.of(), CODEC), verifier, blocklist, heard::add);

  RolloutSink sink(boolean enabled) {
    RolloutPolicy canary = new RolloutPolicy(RolloutStrategy.CANARY, 1, null, null, 50, null, 1, null, 60, true, 300);
    RolloutSettings settings = new RolloutSettings(enabled, 0, 0, null,
        Map.of("production", new RolloutSettings.EnvironmentPolicy(canary, Map.of())), null);
    return new RolloutSink((r, options) -> {
      direct.add(r);
      return Future.succeededFuture();
    }, blocklist, new RolloutPolicies(settings), new RolloutMachine("t1"), s -> {
      recorded.add(s);
      return Future.succeededFuture();
    }, enabled, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  /** production (canary) and staging (all-at-once) closed at NOW (12:00), open from 13:00 UTC; staging refuses. */
  RolloutSink windowed() {
    RolloutPolicy canary = new RolloutPolicy(RolloutStrategy.CANARY, 1, null, null, 50, null, 1, null, 60, true, 300);
    RolloutSettings.Window lunch = new RolloutSettings.Window("lunch", "allow", "0 13 * * *", "UTC", "PT1H");
    RolloutSettings settings = new RolloutSettings(true, 0, 0, null,
        Map.of("production", new RolloutSettings.EnvironmentPolicy(canary, Map.of())), null, null, 0,
        Map.of("production", new RolloutSettings.Windows("wait", List.of(lunch)),
            "staging", new RolloutSettings.Windows("refuse", List.of(lunch)),
            "qa", new RolloutSettings.Windows("wait", List.of(lunch))));
    return new RolloutSink((r, options) -> {
      direct.add(r);
      return Future.succeededFuture();
    }, blocklist, new RolloutPolicies(settings), new RolloutMachine("t1"), s -> {
      recorded.add(s);
      return Future.succeededFuture();
    }, true, Clock.fixed(NOW, ZoneOffset.UTC), new DeployWindows(settings.windows()));
  }

  @Test
  void aRequestThatBecomesARolloutKeepsItsTraceContextInTheState() {
    var trace = new dev.stevedore.common.event.TraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        null);
    assertThat(sink(true).publish(request("production", "v2", "generic"),
        PublishOptions.traced(Optional.of(trace))).succeeded()).isTrue();
    assertThat(sink(true).publish(request("production", "v3", "generic"), PublishOptions.NONE).succeeded()).isTrue();
    assertThat(recorded).extracting(RolloutState::trace).containsExactly(Optional.of(trace), Optional.empty());
  }

  @Test
  void outsideItsWindowsARequestWaitsAsAPendingRolloutEvenForAllAtOnce() {
    assertThat(windowed().publish(request("production", "v2", "generic")).succeeded()).isTrue();
    assertThat(windowed().publish(request("qa", "v2", "generic")).succeeded()).isTrue(); // all-at-once there
    assertThat(direct).isEmpty();
    assertThat(recorded).hasSize(2).allSatisfy(s -> {
      assertThat(s.phase()).isEqualTo("pending");
      assertThat(s.detail()).contains("waiting for a deploy window").contains("2026-11-29T13:00:00Z");
      assertThat(s.windowOverride()).isNull();
    });
    assertThat(recorded.get(1).policy().strategy()).isEqualTo(RolloutStrategy.ALL_AT_ONCE);
  }

  @Test
  void whereConfiguredARequestOutsideTheWindowsIsRefusedWithTheOpeningTime() {
    Future<Void> f = windowed().publish(request("staging", "v2", "generic"));
    assertThat(f.failed()).isTrue();
    assertThat(f.cause()).isInstanceOfSatisfying(dev.stevedore.common.runtime.HttpProblem.class, p -> {
      assertThat(p.status()).isEqualTo(409);
      assertThat(p.detail()).contains("opens at 2026-11-29T13:00:00Z").contains("windowOverride");
    });
    assertThat(direct).isEmpty();
    assertThat(recorded).isEmpty();
  }

  @Test
  void aDeployerOverrideGoesThroughAndIsRecordedAndRollbacksAreNeverHeld() {
    assertThat(windowed().publish(request("staging", "v2", "manual"),
        PublishOptions.NONE.withWindowOverride("by api:ops: outage")).succeeded()).isTrue();
    assertThat(direct).hasSize(1); // all-at-once, overridden: straight to the agents
    assertThat(windowed().publish(request("production", "v2", "manual"),
        PublishOptions.NONE.withWindowOverride("by api:ops: outage")).succeeded()).isTrue();
    assertThat(recorded).singleElement().satisfies(s -> {
      assertThat(s.windowOverride()).isEqualTo("by api:ops: outage");
      assertThat(s.detail()).isEqualTo("requested");
    });
    assertThat(windowed().publish(request("staging", "v1", "rollback")).succeeded()).isTrue();
    assertThat(direct).hasSize(2);
  }

  static DeployRequested request(String env, String version, String trigger) {
    return new DeployRequested("e1", "stevedore://trigger/t1", NOW, "6b7f4d2e-0000-5000-8000-00000000000a", "web", env,
        version, null, null, null, "ci", trigger, null, null, null, null);
  }

  VersionBlocked block(KeyPair keys, String version) {
    return new RequestSigner(keys, CODEC).sign(new VersionBlocked("b1", "stevedore://trigger/t1", NOW,
        "6b7f4d2e-0000-5000-8000-00000000000b", "production", "web", version, "2 of 2 hosts failed", List.of("h1"),
        null, null));
  }

  @Test
  void aRequestForAnEnvironmentWithARolloutPolicyBecomesAPendingRolloutAndNothingReachesTheAgents() {
    assertThat(sink(true).publish(request("production", "v2", "generic")).succeeded()).isTrue();
    assertThat(direct).isEmpty();
    assertThat(recorded).singleElement().satisfies(s -> {
      assertThat(s.phase()).isEqualTo("pending");
      assertThat(s.rolloutId()).isEqualTo("6b7f4d2e-0000-5000-8000-00000000000a");
      assertThat(s.policy().strategy()).isEqualTo(RolloutStrategy.CANARY);
    });
  }

  @Test
  void allAtOnceRollbacksAndDisabledRolloutsGoStraightToTheAgentsAsBefore() {
    sink(true).publish(request("staging", "v2", "generic"));
    sink(true).publish(request("production", "v1", "rollback"));
    sink(false).publish(request("production", "v2", "generic"));
    assertThat(direct).hasSize(3);
    assertThat(recorded).isEmpty();
  }

  @Test
  void aBlockedVersionIsRefusedWith409UntilASignedUnblockForTheWholeEnvironment() {
    feed.accept(block(OWN, "v2"));
    Future<Void> refused = sink(true).publish(request("production", "v2", "generic"));
    assertThat(refused.cause()).isInstanceOf(HttpProblem.class);
    assertThat(((HttpProblem) refused.cause()).status()).isEqualTo(409);
    assertThat(refused.cause().getMessage()).contains("blocked fleet-wide").contains("DELETE /api/v1/blocks/production/web/v2");
    assertThat(sink(true).publish(request("production", "v1", "rollback")).succeeded()).as("rollbacks pass").isTrue();
    // An unblock of some hosts only is theirs; it does not lift the fleet-wide block.
    feed.accept(own.sign(unblock(List.of("h1"))));
    assertThat(blocklist.block("production", "web", "v2")).isPresent();
    feed.accept(own.sign(unblock(List.of())));
    assertThat(blocklist.block("production", "web", "v2")).isEmpty();
    feed.accept(block(OWN, "v2"));
    blocklist.lifted("production/web/v2"); // a tombstone
    assertThat(sink(true).publish(request("production", "v2", "generic")).succeeded()).isTrue();
  }

  static VersionUnblocked unblock(List<String> hosts) {
    return new VersionUnblocked("u1", "stevedore://trigger/t1", NOW, "6b7f4d2e-0000-5000-8000-00000000000c", "web",
        "production", "v2", new Target("production", hosts, Map.of()), "api:alice", "fixed", null, null);
  }

  @Test
  void forgedOrUnsignedBlocksAndUnblocksChangeNothing() {
    feed.accept(block(STRANGER, "v3"));
    feed.accept(block(OWN, "v3").withSignature(null, null));
    assertThat(blocklist.size()).isZero();
    feed.accept(block(OWN, "v2"));
    feed.accept(new RequestSigner(STRANGER, CODEC).sign(unblock(List.of())));
    feed.accept(unblock(List.of()));
    assertThat(blocklist.block("production", "web", "v2")).isPresent();
  }

  @Test
  void anOverrideOutsideTheBoundsIsA400AndOverridesNeedRolloutsEnabled() {
    RolloutPolicy greedy = new RolloutPolicy(RolloutStrategy.ROLLING, null, null, null, 90, null, null, null, null, null, null);
    Future<Void> refused = sink(true).publish(request("production", "v2", "manual"), PublishOptions.rollout(greedy));
    assertThat(((HttpProblem) refused.cause()).status()).isEqualTo(400);
    assertThat(refused.cause().getMessage()).contains("wavePercent 90 exceeds the bound 50");
    Future<Void> disabled = sink(false).publish(request("production", "v2", "manual"), PublishOptions.rollout(greedy));
    assertThat(((HttpProblem) disabled.cause()).status()).isEqualTo(400);
    assertThat(direct).isEmpty();
  }

  @Test
  void heartbeatsAndOutcomesReachTheCoordinatorOnlyWhenTheyVerify() {
    KeyPair host = Ed25519Keys.generate();
    FleetFeed strict = new FleetFeed(new EventVerifier(List.of(new EventVerifier.TrustedAgent("h1", host.getPublic())),
        CODEC), verifier, blocklist, heard::add);
    AgentHeartbeat beat = new AgentHeartbeat("hb", "stevedore://agent/h1", NOW, "h1", "production", Map.of(),
        List.of(), "ok", "0.1");
    strict.accept(beat); // unsigned
    strict.accept(new dev.stevedore.common.security.AgentSigner(STRANGER, CODEC).sign(beat));
    assertThat(heard).isEmpty();
    strict.accept(new dev.stevedore.common.security.AgentSigner(host, CODEC).sign(beat));
    assertThat(heard).hasSize(1);
  }
}
