package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.RolloutStrategy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRolledBack;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.HostVersion;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.event.RolloutEvent;
import dev.stevedore.common.event.RolloutHalted;
import dev.stevedore.common.event.RolloutPolicy;
import dev.stevedore.common.event.RolloutRolledBack;
import dev.stevedore.common.event.RolloutStarted;
import dev.stevedore.common.event.RolloutState;
import dev.stevedore.common.event.RolloutSucceeded;
import dev.stevedore.common.event.RolloutSuperseded;
import dev.stevedore.common.event.RolloutWaveFinished;
import dev.stevedore.trigger.rollout.RolloutMachine.Action;
import dev.stevedore.trigger.rollout.RolloutMachine.Announce;
import dev.stevedore.trigger.rollout.RolloutMachine.Block;
import dev.stevedore.trigger.rollout.RolloutMachine.Command;
import dev.stevedore.trigger.rollout.RolloutMachine.PublishRollback;
import dev.stevedore.trigger.rollout.RolloutMachine.PublishWave;
import dev.stevedore.trigger.rollout.RolloutMachine.Step;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RolloutMachineTest {
  static final String ID = "6b7f4d2e-0000-5000-8000-000000000001";
  static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");
  final RolloutMachine machine = new RolloutMachine("t1");
  final FakeFleet fleet = new FakeFleet();
  Instant now = T0;
  final List<Action> all = new ArrayList<>();

  /** A fleet that answers from maps (a fake for the pure machine). */
  static final class FakeFleet implements RolloutMachine.Fleet {
    final Set<String> alive = new HashSet<>();
    final Map<String, String> running = new HashMap<>();
    final Map<String, Instant> reportedAt = new HashMap<>();

    @Override
    public boolean alive(String host) {
      return alive.contains(host);
    }

    @Override
    public List<String> aliveHosts() {
      return alive.stream().sorted().toList();
    }

    @Override
    public String running(String host) {
      return running.get(host);
    }

    @Override
    public String reportedAfter(String host, Instant after) {
      Instant at = reportedAt.get(host);
      return at != null && at.isAfter(after) ? running.get(host) : null;
    }
  }

  List<String> hosts(int n) {
    List<String> out = IntStream.rangeClosed(1, n).mapToObj(i -> String.format("h%02d", i)).toList();
    out.forEach(h -> {
      fleet.alive.add(h);
      fleet.running.put(h, "v1");
    });
    return out;
  }

  RolloutState start(RolloutPolicy policy, List<String> alive, List<String> silent) {
    RolloutState pending = machine.pending(ID, "production", "web", "v2", policy, T0, "generic", "ci", "release",
        null, null, null, T0);
    return apply(machine.plan(pending, alive, silent, fleet, null, now));
  }

  RolloutState apply(Step step) {
    all.addAll(step.actions());
    return step.state();
  }

  RolloutState outcome(RolloutState s, Outcome o) {
    return apply(machine.outcome(s, o, fleet, now));
  }

  static DeploySucceeded ok(String deployment, String host, String version) {
    return new DeploySucceeded("e-" + host + version, "stevedore://agent/" + host, T0, deployment, host, "web",
        "production", version, null, 100);
  }

  static DeployRolledBack broken(String host) {
    return new DeployRolledBack("rb-" + host, "stevedore://agent/" + host, T0, ID, host, "web", "production", "v2",
        "v1", "health-check", "GET / answered 500", true, 100);
  }

  static DeployFailed failed(String host) {
    return new DeployFailed("f-" + host, "stevedore://agent/" + host, T0, ID, host, "web", "production", "v2", "pull",
        1, "not found", "pull failed", "v1", 100);
  }

  <T> List<T> of(Class<T> kind) {
    List<T> out = new ArrayList<>();
    for (Action a : all) {
      if (kind.isInstance(a)) {
        out.add(kind.cast(a));
      } else if (a instanceof Announce an && kind.isInstance(an.event())) {
        out.add(kind.cast(an.event()));
      }
    }
    return out;
  }

  static RolloutPolicy canary(int k, int bake, boolean auto) {
    return new RolloutPolicy(RolloutStrategy.CANARY, k, null, null, 50, null, 1, null, bake, auto, 300);
  }

  static RolloutPolicy rolling30(int failures) {
    return new RolloutPolicy(RolloutStrategy.ROLLING, null, null, null, 30, null, failures, null, null, null, 300);
  }

  @Test
  void canaryOfTwoWithABrokenVersionHaltsAfterTheCanaryAndBlocksIt() {
    List<String> hosts = hosts(10);
    RolloutState s = start(canary(2, 0, true), hosts, List.of());
    assertThat(of(PublishWave.class)).singleElement().satisfies(w -> {
      assertThat(w.wave()).isZero();
      assertThat(w.hosts()).containsExactly("h01", "h02");
    });
    s = outcome(s, broken("h01"));
    assertThat(Phase.of(s.phase())).isEqualTo(Phase.ROLLING_BACK); // h02 still in flight
    assertThat(of(Block.class)).singleElement().satisfies(b -> assertThat(b.hosts()).containsExactly("h01"));
    s = outcome(s, broken("h02"));
    assertThat(Phase.of(s.phase())).isEqualTo(Phase.HALTED);
    assertThat(of(PublishWave.class)).as("no wave after the canary").hasSize(1);
    assertThat(of(PublishRollback.class)).as("the agents rolled themselves back").isEmpty();
    assertThat(of(RolloutHalted.class)).singleElement().satisfies(h -> {
      assertThat(h.blocked()).isTrue();
      assertThat(h.reason()).isEqualTo("1 of 10 hosts failed (threshold 1)");
    });
    assertThat(s.hosts()).filteredOn(h -> h.wave() > 0).allMatch(h -> h.state().equals("pending"));
    // Once halted, a tick or a late outcome changes nothing.
    now = now.plusSeconds(3600);
    assertThat(machine.tick(s, fleet, now).changed(s)).isFalse();
  }

  @Test
  void hostsThatTookTheVersionBeforeTheHaltAreSentBackToWhatEachRan() {
    List<String> hosts = hosts(6);
    fleet.running.put("h02", "v0");
    RolloutState s = start(new RolloutPolicy(RolloutStrategy.ROLLING, null, null, 3, null, null, 2, null, null, null, 300), hosts,
        List.of());
    s = outcome(s, ok(ID, "h01", "v2"));
    s = outcome(s, ok(ID, "h02", "v2"));
    s = outcome(s, failed("h03"));
    assertThat(of(PublishWave.class)).hasSize(2);
    s = outcome(s, failed("h04"));
    assertThat(Phase.of(s.phase())).isEqualTo(Phase.ROLLING_BACK);
    assertThat(of(PublishRollback.class)).extracting(PublishRollback::version, PublishRollback::hosts)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("v0", List.of("h02")),
            org.assertj.core.groups.Tuple.tuple("v1", List.of("h01")));
    assertThat(of(RolloutHalted.class).get(0).rollbacks())
        .containsExactly(new HostVersion("h01", "v1"), new HostVersion("h02", "v0"));
    // h05 was in flight when it halted and took v2 afterwards: it goes back too.
    s = outcome(s, ok(ID, "h05", "v2"));
    assertThat(of(PublishRollback.class)).last().satisfies(r -> assertThat(r.hosts()).containsExactly("h05"));
    s = outcome(s, ok(RolloutMachine.rollbackId(ID, "v1"), "h01", "v1"));
    s = outcome(s, ok(RolloutMachine.rollbackId(ID, "v0"), "h02", "v0"));
    assertThat(Phase.of(s.phase())).isEqualTo(Phase.ROLLING_BACK);
    now = now.plusSeconds(301); // h05 never answers its rollback
    s = apply(machine.tick(s, fleet, now));
    assertThat(Phase.of(s.phase())).isEqualTo(Phase.ROLLED_BACK);
    assertThat(of(RolloutRolledBack.class)).singleElement().satisfies(r -> {
      assertThat(r.rolledBack()).containsExactly(new HostVersion("h01", "v1"), new HostVersion("h02", "v0"));
      assertThat(r.failed()).containsExactly("h05");
    });
  }

  @Test
  void rollingThirtyPercentWithOneFailureBelowTheThresholdCompletesAndReportsIt() {
    List<String> hosts = hosts(10);
    RolloutState s = start(rolling30(2), hosts, List.of());
    for (int wave = 0; wave < 4; wave++) {
      PublishWave w = of(PublishWave.class).get(wave);
      assertThat(w.wave()).isEqualTo(wave);
      for (String h : w.hosts()) {
        s = outcome(s, h.equals("h05") ? broken(h) : ok(ID, h, "v2"));
      }
    }
    assertThat(Phase.of(s.phase())).isEqualTo(Phase.SUCCEEDED);
    assertThat(of(RolloutWaveFinished.class)).hasSize(4);
    assertThat(of(RolloutSucceeded.class)).singleElement().satisfies(r -> {
      assertThat(r.failed()).containsExactly("h05");
      assertThat(r.succeeded()).hasSize(9);
    });
    assertThat(of(Block.class)).isEmpty();
  }

  @Test
  void aSilentHostIsReportedAndNeverWaitedFor() {
    List<String> hosts = hosts(4);
    fleet.alive.remove("h04");
    RolloutState s = start(rolling30(1), List.of("h01", "h02", "h03"), List.of("h04"));
    assertThat(of(RolloutStarted.class).get(0).unreached()).containsExactly("h04");
    s = outcome(s, ok(ID, "h01", "v2"));
    // h02 dies during its wave: the next tick gives up on it without waiting for the wave timeout.
    fleet.alive.remove("h02");
    s = apply(machine.tick(s, fleet, now.plusSeconds(5)));
    assertThat(RolloutMachine.host(s, "h02").state()).isEqualTo("unreached");
    s = outcome(s, ok(ID, "h03", "v2"));
    assertThat(Phase.of(s.phase())).isEqualTo(Phase.SUCCEEDED);
    assertThat(of(RolloutSucceeded.class).get(0).unreached()).containsExactly("h04", "h02");
  }

  @Test
  void aHostWithoutAnOutcomeByTheWaveTimeoutIsUnreached() {
    RolloutState s = start(rolling30(1), hosts(3), List.of());
    Step quiet = machine.tick(s, fleet, now.plusSeconds(299));
    assertThat(quiet.changed(s)).isFalse();
    s = apply(machine.tick(s, fleet, now.plusSeconds(300)));
    assertThat(of(RolloutWaveFinished.class)).singleElement().satisfies(w -> assertThat(w.unreached()).hasSize(1));
    assertThat(of(PublishWave.class)).hasSize(2);
  }

  @Test
  void anOutcomeThatArrivesAfterTheHostWasGivenUpOnIsRecordedAsItIs() {
    // e.g. the wave request or the outcome sat behind a broker failing over for longer than the wave timeout
    RolloutState s = start(rolling30(2), hosts(6), List.of());
    assertThat(of(PublishWave.class)).singleElement().satisfies(w -> assertThat(w.hosts()).containsExactly("h01", "h02"));
    s = apply(machine.tick(s, fleet, now.plusSeconds(300)));
    assertThat(RolloutMachine.host(s, "h01").state()).isEqualTo("unreached");
    assertThat(RolloutMachine.host(s, "h02").state()).isEqualTo("unreached");
    assertThat(of(PublishWave.class)).hasSize(2);
    s = outcome(s, ok(ID, "h01", "v2"));
    assertThat(RolloutMachine.host(s, "h01").state()).isEqualTo("succeeded");
    assertThat(RolloutMachine.host(s, "h01").detail()).startsWith("late");
    // a late failure counts toward the threshold like any other (2 here: one does not halt)
    s = outcome(s, failed("h02"));
    assertThat(RolloutMachine.host(s, "h02").state()).isEqualTo("failed");
    assertThat(Phase.of(s.phase())).isEqualTo(Phase.RUNNING);
    for (String h : List.of("h03", "h04", "h05", "h06")) {
      s = outcome(s, ok(ID, h, "v2"));
    }
    assertThat(Phase.of(s.phase())).isEqualTo(Phase.SUCCEEDED);
    assertThat(of(RolloutSucceeded.class)).singleElement().satisfies(r -> {
      assertThat(r.succeeded()).containsExactly("h01", "h03", "h04", "h05", "h06");
      assertThat(r.failed()).containsExactly("h02");
      assertThat(r.unreached()).isEmpty();
    });
  }

  @Test
  void aCanaryBakesThenWaitsForAPersonToPromote() {
    RolloutState s = start(canary(1, 60, false), hosts(3), List.of());
    s = outcome(s, ok(ID, "h01", "v2"));
    assertThat(Phase.of(s.phase())).isEqualTo(Phase.BAKING);
    assertThat(machine.tick(s, fleet, now.plusSeconds(59)).changed(s)).isFalse();
    s = apply(machine.tick(s, fleet, now.plusSeconds(60)));
    assertThat(Phase.of(s.phase())).isEqualTo(Phase.AWAITING_PROMOTION);
    assertThat(of(PublishWave.class)).hasSize(1);
    RolloutState waiting = s;
    assertThatThrownBy(() -> machine.command(waiting, Command.RESUME, "api:alice", null, fleet, now))
        .isInstanceOf(IllegalStateException.class);
    s = apply(machine.command(s, Command.PROMOTE, "api:alice", "looks good", fleet, now.plusSeconds(61)));
    assertThat(Phase.of(s.phase())).isEqualTo(Phase.RUNNING);
    assertThat(of(PublishWave.class)).last().satisfies(w -> assertThat(w.hosts()).containsExactly("h02", "h03"));
  }

  @Test
  void aCanaryThatLeavesTheVersionDuringTheBakeHalts() {
    RolloutState s = start(canary(1, 60, true), hosts(3), List.of());
    s = outcome(s, ok(ID, "h01", "v2"));
    // A heartbeat older than the bake still names v1: that is no reason to halt.
    fleet.reportedAt.put("h01", now.minusSeconds(1));
    assertThat(machine.tick(s, fleet, now.plusSeconds(5)).changed(s)).isFalse();
    fleet.reportedAt.put("h01", now.plusSeconds(9)); // a heartbeat during the bake says v1 runs again
    s = apply(machine.tick(s, fleet, now.plusSeconds(10)));
    assertThat(Phase.of(s.phase())).as("the host is back on v1 by itself: nothing to send back").isEqualTo(Phase.HALTED);
    assertThat(of(Block.class)).singleElement();
    assertThat(of(RolloutHalted.class).get(0).reason()).contains("left v2 during the bake");
  }

  @Test
  void pausedHoldsTheNextWaveUntilResumed() {
    RolloutState s = start(rolling30(1), hosts(6), List.of());
    s = apply(machine.command(s, Command.PAUSE, "api:alice", "lunch", fleet, now));
    for (String h : of(PublishWave.class).get(0).hosts()) {
      s = outcome(s, ok(ID, h, "v2"));
    }
    assertThat(of(PublishWave.class)).hasSize(1);
    assertThat(of(RolloutWaveFinished.class)).hasSize(1);
    assertThat(machine.tick(s, fleet, now.plusSeconds(1)).changed(s)).isFalse();
    s = apply(machine.command(s, Command.RESUME, "api:alice", null, fleet, now.plusSeconds(2)));
    assertThat(of(PublishWave.class)).hasSize(2);
    assertThat(of(RolloutWaveFinished.class)).as("the finished wave is announced once").hasSize(1);
  }

  @Test
  void abortRollsBackWithoutBlocking() {
    RolloutState s = start(rolling30(1), hosts(6), List.of());
    s = outcome(s, ok(ID, "h01", "v2"));
    s = apply(machine.command(s, Command.ABORT, "api:alice", "wrong build", fleet, now));
    assertThat(of(Block.class)).isEmpty();
    assertThat(of(RolloutHalted.class).get(0).blocked()).isFalse();
    assertThat(of(PublishRollback.class)).singleElement().satisfies(r -> assertThat(r.hosts()).containsExactly("h01"));
  }

  @Test
  void aNewerRolloutSupersedesTheOneInFlight() {
    RolloutState s = start(rolling30(1), hosts(6), List.of());
    RolloutState newer = machine.pending("6b7f4d2e-0000-5000-8000-000000000002", "production", "web", "v3",
        rolling30(1), T0.plusSeconds(5), "generic", "ci", null, null, null, null, now);
    s = apply(machine.supersede(s, newer, now));
    assertThat(Phase.of(s.phase())).isEqualTo(Phase.SUPERSEDED);
    assertThat(of(RolloutSuperseded.class)).singleElement()
        .satisfies(e -> assertThat(e.supersededByVersion()).isEqualTo("v3"));
    // a late outcome of the old rollout changes nothing
    assertThat(machine.outcome(s, ok(ID, "h01", "v2"), fleet, now).changed(s)).isFalse();
  }

  @Test
  void aTakeoverRepublishesTheWaveUnderWayWithTheSameTimeSoItIsTheSameRequest() {
    RolloutState s = start(rolling30(1), hosts(6), List.of());
    PublishWave first = of(PublishWave.class).get(0);
    assertThat(machine.resume(s)).containsExactly(first);
    assertThat(RolloutMachine.waveRequestId(ID, 0)).isEqualTo(RolloutMachine.waveRequestId(ID, 0))
        .isNotEqualTo(RolloutMachine.waveRequestId(ID, 1));
    for (String h : first.hosts()) {
      s = outcome(s, ok(ID, h, "v2"));
    }
    assertThat(machine.resume(s)).singleElement().isEqualTo(of(PublishWave.class).get(1));
  }

  @Test
  void aHostThatJoinedDuringTheRolloutGetsTheVersionAtTheEnd() {
    RolloutState s = start(rolling30(1), hosts(2), List.of());
    fleet.alive.add("h99");
    for (String h : List.of("h01", "h02")) {
      s = outcome(s, ok(ID, h, "v2"));
    }
    assertThat(of(PublishWave.class)).last().satisfies(w -> assertThat(w.hosts()).containsExactly("h99"));
    s = outcome(s, ok(ID, "h99", "v2"));
    assertThat(Phase.of(s.phase())).isEqualTo(Phase.SUCCEEDED);
  }

  @Test
  void everyRecordedStateHasTheNextSeqAndEveryAnnouncedEventADeterministicId() {
    RolloutState s = start(rolling30(1), hosts(3), List.of());
    long seq = s.seq();
    s = outcome(s, ok(ID, "h01", "v2"));
    assertThat(s.seq()).isEqualTo(seq + 1);
    List<String> ids = of(Announce.class).stream().map(Announce::event).map(RolloutEvent::id).toList();
    RolloutMachineTest again = new RolloutMachineTest();
    RolloutState t = again.start(rolling30(1), again.hosts(3), List.of());
    again.outcome(t, ok(ID, "h01", "v2"));
    assertThat(again.of(Announce.class).stream().map(Announce::event).map(RolloutEvent::id).toList())
        .isEqualTo(ids).doesNotHaveDuplicates();
  }

  @Test
  void nothingToDeployToSucceedsAtOnceAndSaysWhy() {
    RolloutState s = start(rolling30(1), List.of(), List.of("h07"));
    assertThat(Phase.of(s.phase())).isEqualTo(Phase.SUCCEEDED);
    assertThat(s.detail()).contains("no host of production manages web");
    assertThat(of(RolloutSucceeded.class).get(0).unreached()).containsExactly("h07");
  }
}
