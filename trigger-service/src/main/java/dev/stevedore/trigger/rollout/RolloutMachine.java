package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRolledBack;
import dev.stevedore.common.event.DeploySkipped;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.HostVersion;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.event.RolloutEvent;
import dev.stevedore.common.event.RolloutHalted;
import dev.stevedore.common.event.RolloutPolicy;
import dev.stevedore.common.event.RolloutRolledBack;
import dev.stevedore.common.event.RolloutStarted;
import dev.stevedore.common.event.RolloutState;
import dev.stevedore.common.event.RolloutState.HostState;
import dev.stevedore.common.event.RolloutSucceeded;
import dev.stevedore.common.event.RolloutSuperseded;
import dev.stevedore.common.event.RolloutWave;
import dev.stevedore.common.event.RolloutWaveFinished;
import dev.stevedore.common.event.RolloutWaveStarted;
import dev.stevedore.common.event.TraceContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The rollout state machine: a pure fold of a {@link RolloutState} over what happens (planning,
 * outcomes, the clock, a person's command, a newer request). Each call returns a {@link Step}: the
 * next state (to record before acting), what to do, and why. Nothing here touches Kafka or a clock.
 */
public final class RolloutMachine {
  /** What the coordinator does after recording the step's state. */
  public sealed interface Action {}

  /** Publish the signed request of wave {@code wave}: deployment id = rollout id, target hosts = {@code hosts}, time = {@code at}. */
  public record PublishWave(int wave, List<String> hosts, Instant at) implements Action {}

  /** Send {@code hosts} back to {@code version} (a signed request with trigger {@code rollback}). */
  public record PublishRollback(String version, List<String> hosts, Instant at) implements Action {}

  /** Block the rollout's version fleet-wide. */
  public record Block(String reason, List<String> hosts) implements Action {}

  /** Publish a rollout event (unsigned; the coordinator signs it). */
  public record Announce(RolloutEvent event) implements Action {}

  /** The outcome of one input: {@code state} unchanged (same instance) when nothing happened. */
  public record Step(RolloutState state, List<Action> actions, String reason) {
    public boolean changed(RolloutState before) {
      return state != before;
    }
  }

  /** A person's command from the API. */
  public enum Command { PROMOTE, PAUSE, RESUME, ABORT }

  /** What the coordinator knows of the fleet now, for one rollout's environment and service. */
  public interface Fleet {
    /** Whether the host spoke within the heartbeat deadline. */
    boolean alive(String host);

    /** Hosts alive now that manage the service (for hosts that joined during the rollout). */
    List<String> aliveHosts();

    /** The version the host last said it runs; null when unknown. */
    String running(String host);

    /** The version the host said it runs in a heartbeat dated after {@code after}; null when none is that recent. */
    String reportedAfter(String host, Instant after);
  }

  private final String source;

  /** @param instanceId the trigger instance: the {@code source} of what it records and announces */
  public RolloutMachine(String instanceId) {
    this.source = "stevedore://trigger/" + instanceId;
  }

  /** The deployment id of the requests that send hosts of {@code rolloutId} back to {@code version}. */
  public static String rollbackId(String rolloutId, String version) {
    return DeploymentIds.of("rollout-rollback", rolloutId + "/" + version);
  }

  /** The event id of wave {@code wave}'s request: the same on every publication. */
  public static String waveRequestId(String rolloutId, int wave) {
    return DeploymentIds.eventId(rolloutId, "wave-" + wave, "requested");
  }

  /** A new rollout as the instance that received its request records it (phase pending). */
  public RolloutState pending(String rolloutId, String environment, String service, String version,
      RolloutPolicy policy, Instant requestedAt, String trigger, String requestedBy, String reason, String commit,
      String branch, String repository, Instant now) {
    return pending(rolloutId, environment, service, version, policy, requestedAt, trigger, requestedBy, reason, commit,
        branch, repository, null, "requested", now);
  }

  /** The same, with a deploy-window override and why it is pending, without a trace context. */
  public RolloutState pending(String rolloutId, String environment, String service, String version,
      RolloutPolicy policy, Instant requestedAt, String trigger, String requestedBy, String reason, String commit,
      String branch, String repository, String windowOverride, String detail, Instant now) {
    return pending(rolloutId, environment, service, version, policy, requestedAt, trigger, requestedBy, reason, commit,
        branch, repository, windowOverride, detail, now, java.util.Optional.empty());
  }

  /**
   * The same, with a deploy-window override ({@code by <requester>: <why>}, null: none) and why it
   * is pending (such as waiting for a window), and the trace context of the request (its waves carry it).
   */
  public RolloutState pending(String rolloutId, String environment, String service, String version,
      RolloutPolicy policy, Instant requestedAt, String trigger, String requestedBy, String reason, String commit,
      String branch, String repository, String windowOverride, String detail, Instant now,
      java.util.Optional<TraceContext> trace) {
    return new RolloutState(DeploymentIds.eventId(rolloutId, "state", "0"), source, now, rolloutId, environment,
        service, version, 0, Phase.PENDING.word(), policy, requestedAt, trigger, requestedBy, reason, commit, branch,
        repository, List.of(), -1, null, null, false, List.of(), List.of(), detail, null, windowOverride,
        trace.map(TraceContext::traceparent).orElse(null), trace.map(TraceContext::tracestate).orElse(null), null, null);
  }

  /**
   * Plans a pending rollout over the fleet (alive hosts that manage the service; silent ones are
   * unreached) and starts its first wave. {@code supersedes}: the rollout it replaced, if any.
   */
  public Step plan(RolloutState s, List<String> alive, List<String> silent, Fleet fleet, String supersedes,
      Instant now) {
    if (Phase.of(s.phase()) != Phase.PENDING) {
      return new Step(s, List.of(), "already planned");
    }
    Draft d = new Draft(s, now);
    d.waves = WavePlanner.plan(s.policy(), alive);
    d.hosts = new TreeMap<>();
    for (RolloutWave w : d.waves) {
      for (String h : w.hosts()) {
        d.hosts.put(h, new HostState(h, w.index(), fleet.running(h), HostPhase.PENDING.word(), null));
      }
    }
    d.unreached = List.copyOf(silent);
    d.phase = Phase.RUNNING;
    List<Action> actions = new ArrayList<>();
    actions.add(new Announce(new RolloutStarted(eventId(s, "rollout", "started"), source, now, s.rolloutId(),
        s.environment(), s.service(), s.version(), s.policy(), d.waves, d.unreached, supersedes, s.requestedBy(),
        s.reason(), null, null)));
    if (d.waves.isEmpty()) {
      d.detail = "no host of " + s.environment() + " manages " + s.service() + " and is alive";
      return succeed(d, actions, fleet);
    }
    return startWave(d, 0, actions, fleet, "planned " + d.waves.size() + " waves over " + alive.size() + " hosts");
  }

  /** An outcome of this rollout's request, or of one of its rollbacks. */
  public Step outcome(RolloutState s, Outcome o, Fleet fleet, Instant now) {
    Phase phase = Phase.of(s.phase());
    HostState host = host(s, o.host());
    if (host == null || phase.done() || phase == Phase.PENDING) {
      return new Step(s, List.of(), "not a host of an active rollout");
    }
    HostPhase hp = HostPhase.of(host.state());
    Draft d = new Draft(s, now);
    if (o.deploymentId().equals(s.rolloutId()) && o.version().equals(s.version())) {
      // An unreached host was given up on, not known to have failed: what it reports late is the truth.
      if (hp != HostPhase.REQUESTED && hp != HostPhase.UNREACHED) {
        return new Step(s, List.of(), "host " + o.host() + " already " + hp.word());
      }
      HostPhase next = o instanceof DeploySucceeded ? HostPhase.SUCCEEDED
          : o instanceof DeploySkipped ? HostPhase.SKIPPED : HostPhase.FAILED;
      d.set(o.host(), next, hp == HostPhase.UNREACHED ? "late (after it was given up on): " + reasonOf(o)
          : reasonOf(o));
      if (phase == Phase.ROLLING_BACK) {
        // Took the version after the halt: send it back too.
        if (next == HostPhase.SUCCEEDED) {
          return sendBack(d, List.of(host(d, o.host())), new ArrayList<>(), "host " + o.host()
              + " took " + s.version() + " after the halt");
        }
        return finishRollback(d, new ArrayList<>(), "host " + o.host() + " " + next.word());
      }
      return evaluate(d, new ArrayList<>(), fleet, "host " + o.host() + " " + next.word());
    }
    if (phase == Phase.ROLLING_BACK && hp == HostPhase.ROLLING_BACK && host.previousVersion() != null
        && o.deploymentId().equals(rollbackId(s.rolloutId(), host.previousVersion()))) {
      boolean ok = o instanceof DeploySucceeded
          || (o instanceof DeploySkipped && host.previousVersion().equals(fleet.running(o.host())));
      d.set(o.host(), ok ? HostPhase.ROLLED_BACK : HostPhase.ROLLBACK_FAILED, reasonOf(o));
      return finishRollback(d, new ArrayList<>(), "rollback of " + o.host() + (ok ? " done" : " failed"));
    }
    return new Step(s, List.of(), "outcome of another deployment");
  }

  /** The clock: wave timeouts, silent hosts, the end of a bake. */
  public Step tick(RolloutState s, Fleet fleet, Instant now) {
    Phase phase = Phase.of(s.phase());
    if (phase.done() || phase == Phase.PENDING) {
      return new Step(s, List.of(), "nothing to wait for");
    }
    Draft d = new Draft(s, now);
    List<String> given = new ArrayList<>();
    Duration timeout = Duration.ofSeconds(timeoutSeconds(s.policy()));
    boolean timedOut = s.waveStartedAt() != null && !now.isBefore(s.waveStartedAt().plus(timeout));
    for (HostState h : s.hosts()) {
      HostPhase hp = HostPhase.of(h.state());
      if (hp == HostPhase.REQUESTED && (timedOut || !fleet.alive(h.host()))) {
        d.set(h.host(), HostPhase.UNREACHED, timedOut ? "no outcome within " + timeout.toSeconds() + " s"
            : "silent past the heartbeat deadline");
        given.add(h.host());
      } else if (hp == HostPhase.ROLLING_BACK && timedOut) {
        d.set(h.host(), HostPhase.ROLLBACK_FAILED, "no rollback outcome within " + timeout.toSeconds() + " s");
        given.add(h.host());
      }
    }
    if (phase == Phase.ROLLING_BACK) {
      return given.isEmpty() ? new Step(s, List.of(), "waiting for rollbacks")
          : finishRollback(d, new ArrayList<>(), "gave up on " + given);
    }
    if (phase == Phase.BAKING) {
      // Only heartbeats sent after the bake began count: an older one still names the old version.
      Instant bakeStart = s.bakeUntil().minusSeconds(s.policy().bakeSeconds() == null ? 0 : s.policy().bakeSeconds());
      for (String h : wave(s, s.currentWave()).hosts()) {
        HostState hs = host(s, h);
        String reported = fleet.reportedAfter(h, bakeStart);
        if (HostPhase.of(hs.state()) == HostPhase.SUCCEEDED && reported != null && !s.version().equals(reported)) {
          d.set(h, HostPhase.FAILED, "runs " + reported + " again during the bake");
          return halt(d, new ArrayList<>(), "canary host " + h + " left " + s.version() + " during the bake", true,
              fleet);
        }
      }
      if (s.bakeUntil() != null && now.isBefore(s.bakeUntil())) {
        return new Step(s, List.of(), "baking until " + s.bakeUntil());
      }
      if (!Boolean.TRUE.equals(s.policy().autoPromote())) {
        d.phase = Phase.AWAITING_PROMOTION;
        d.detail = "canary baked; waiting for promote";
        return d.step(new ArrayList<>(), d.detail);
      }
      return next(d, new ArrayList<>(), fleet, "canary baked; promoted automatically");
    }
    if (phase == Phase.RUNNING) {
      if (given.isEmpty() && !waveFinished(s) && !timedOut) {
        return new Step(s, List.of(), "wave " + s.currentWave() + " under way");
      }
      if (given.isEmpty() && waveFinished(s) && s.paused()) {
        return new Step(s, List.of(), "paused");
      }
      return evaluate(d, new ArrayList<>(), fleet, given.isEmpty() ? "tick" : "gave up on " + given);
    }
    return new Step(s, List.of(), phase.word());
  }

  /** A deployer's command; {@link IllegalStateException} (409) when it does not apply to the phase. */
  public Step command(RolloutState s, Command command, String by, String why, Fleet fleet, Instant now) {
    Phase phase = Phase.of(s.phase());
    Draft d = new Draft(s, now);
    String who = by + (why == null || why.isBlank() ? "" : ": " + why);
    switch (command) {
      case PROMOTE -> {
        if (phase != Phase.AWAITING_PROMOTION && phase != Phase.BAKING) {
          throw new IllegalStateException("rollout " + s.rolloutId() + " is " + phase.word() + "; only a baking or "
              + "awaiting-promotion rollout can be promoted");
        }
        return next(d, new ArrayList<>(), fleet, "promoted by " + who);
      }
      case PAUSE -> {
        if (!phase.inFlight() || s.paused()) {
          throw new IllegalStateException("rollout " + s.rolloutId() + " is " + phase.word()
              + (s.paused() ? " and paused already" : "") + "; cannot pause");
        }
        d.paused = true;
        d.detail = "paused by " + who;
        return d.step(new ArrayList<>(), d.detail);
      }
      case RESUME -> {
        if (!s.paused() || phase.done()) {
          throw new IllegalStateException("rollout " + s.rolloutId() + " is not paused");
        }
        d.paused = false;
        d.detail = "resumed by " + who;
        return phase == Phase.RUNNING ? evaluate(d, new ArrayList<>(), fleet, d.detail) : d.step(new ArrayList<>(),
            d.detail);
      }
      case ABORT -> {
        if (!phase.inFlight() || phase == Phase.PENDING) {
          throw new IllegalStateException("rollout " + s.rolloutId() + " is " + phase.word() + "; cannot abort");
        }
        return halt(d, new ArrayList<>(), "aborted by " + who, false, fleet);
      }
      default -> throw new IllegalStateException("unknown command " + command);
    }
  }

  /** A newer rollout of the same key replaces {@code s} (latest wins). */
  public Step supersede(RolloutState s, RolloutState newer, Instant now) {
    if (!Phase.of(s.phase()).inFlight() || s.rolloutId().equals(newer.rolloutId())) {
      return new Step(s, List.of(), "nothing in flight to supersede");
    }
    Draft d = new Draft(s, now);
    d.phase = Phase.SUPERSEDED;
    d.supersededBy = newer.rolloutId();
    d.detail = "superseded by " + newer.rolloutId() + " (" + newer.version() + ")";
    List<Action> actions = new ArrayList<>();
    actions.add(new Announce(new RolloutSuperseded(eventId(s, "rollout", "superseded"), source, now, s.rolloutId(),
        s.environment(), s.service(), s.version(), newer.rolloutId(), newer.version(), null, null)));
    return d.step(actions, d.detail);
  }

  /**
   * What a coordinator that takes a rollout over does again (all of it idempotent downstream: the
   * same request ids, the same block key, the same event ids): re-publish the wave under way, the
   * rollbacks under way, the block of a halted rollout.
   */
  public List<Action> resume(RolloutState s) {
    List<Action> actions = new ArrayList<>();
    Phase phase = Phase.of(s.phase());
    if (phase == Phase.RUNNING && s.currentWave() >= 0 && s.waveStartedAt() != null) {
      List<String> requested = hostsIn(s, s.currentWave(), HostPhase.REQUESTED);
      if (!requested.isEmpty()) {
        actions.add(new PublishWave(s.currentWave(), wave(s, s.currentWave()).hosts(), s.waveStartedAt()));
      }
    }
    if (phase == Phase.ROLLING_BACK) {
      rollbacksOf(s.hosts().stream().filter(h -> HostPhase.of(h.state()) == HostPhase.ROLLING_BACK).toList(), s.time())
          .forEach(actions::add);
    }
    if ((phase == Phase.ROLLING_BACK || phase == Phase.HALTED || phase == Phase.ROLLED_BACK) && blockedBy(s)) {
      actions.add(new Block(s.detail(), failedHosts(s)));
    }
    return actions;
  }

  // --- transitions

  /** After a host changed: halt at the threshold, or finish the wave and go on. */
  private Step evaluate(Draft d, List<Action> actions, Fleet fleet, String why) {
    RolloutState s = d.snapshot();
    String threshold = thresholdReached(s);
    if (threshold != null) {
      return halt(d, actions, threshold, true, fleet);
    }
    if (!waveFinished(s)) {
      return d.step(actions, why);
    }
    boolean announced = d.finishedAnnounced;
    if (!announced) {
      actions.add(new Announce(waveFinishedEvent(s, d.now)));
      d.finishedAnnounced = true;
    }
    RolloutWave current = wave(s, s.currentWave());
    if (current.canary() && d.phase == Phase.RUNNING) {
      int bake = s.policy().bakeSeconds() == null ? 0 : s.policy().bakeSeconds();
      if (bake > 0) {
        d.phase = Phase.BAKING;
        d.bakeUntil = d.now.plusSeconds(bake);
        d.detail = "canary healthy; baking until " + d.bakeUntil;
        return d.step(actions, why + "; " + d.detail);
      }
      if (!Boolean.TRUE.equals(s.policy().autoPromote())) {
        d.phase = Phase.AWAITING_PROMOTION;
        d.detail = "canary done; waiting for promote";
        return d.step(actions, why + "; " + d.detail);
      }
    }
    if (d.paused) {
      d.detail = "wave " + s.currentWave() + " finished; paused";
      return d.step(actions, why + "; paused");
    }
    return next(d, actions, fleet, why);
  }

  /** The next wave, or success after the last (with a wave for hosts that joined meanwhile). */
  private Step next(Draft d, List<Action> actions, Fleet fleet, String why) {
    int next = d.currentWave + 1;
    if (next < d.waves.size()) {
      return startWave(d, next, actions, fleet, why);
    }
    List<String> joined = fleet.aliveHosts().stream().filter(h -> !d.hosts.containsKey(h)
        && !d.unreached.contains(h)).sorted().toList();
    if (!joined.isEmpty()) {
      List<RolloutWave> waves = new ArrayList<>(d.waves);
      waves.add(new RolloutWave(waves.size(), joined, false));
      d.waves = waves;
      for (String h : joined) {
        d.hosts.put(h, new HostState(h, next, fleet.running(h), HostPhase.PENDING.word(), "joined during the rollout"));
      }
      return startWave(d, next, actions, fleet, why + "; a wave for " + joined.size() + " hosts that joined");
    }
    return succeed(d, actions, fleet);
  }

  private Step startWave(Draft d, int index, List<Action> actions, Fleet fleet, String why) {
    RolloutWave w = d.waves.get(index);
    d.currentWave = index;
    d.waveStartedAt = d.now;
    d.bakeUntil = null;
    d.phase = Phase.RUNNING;
    d.finishedAnnounced = false;
    List<String> reachable = new ArrayList<>();
    for (String h : w.hosts()) {
      if (fleet.alive(h)) {
        d.set(h, HostPhase.REQUESTED, null);
        reachable.add(h);
      } else {
        d.set(h, HostPhase.UNREACHED, "silent past the heartbeat deadline when its wave started");
      }
    }
    d.detail = "wave " + index + " of " + d.waves.size() + (w.canary() ? " (canary)" : "");
    RolloutState s = d.snapshot();
    if (!reachable.isEmpty()) {
      actions.add(new PublishWave(index, w.hosts(), d.now));
      actions.add(new Announce(new RolloutWaveStarted(eventId(s, "wave-" + index, "started"), source, d.now,
          s.rolloutId(), s.environment(), s.service(), s.version(), index, w.hosts(), w.canary(),
          waveRequestId(s.rolloutId(), index), null, null)));
      return d.step(actions, why + "; started wave " + index);
    }
    return evaluate(d, actions, fleet, why + "; wave " + index + " has no reachable host");
  }

  private Step succeed(Draft d, List<Action> actions, Fleet fleet) {
    d.phase = Phase.SUCCEEDED;
    RolloutState s = d.snapshot();
    List<String> unreached = new ArrayList<>(s.unreached());
    unreached.addAll(hostsWith(s, HostPhase.UNREACHED));
    d.detail = d.waves.isEmpty() ? d.detail : "succeeded on " + hostsWith(s, HostPhase.SUCCEEDED).size() + " of "
        + s.hosts().size() + " hosts";
    actions.add(new Announce(new RolloutSucceeded(eventId(s, "rollout", "succeeded"), source, d.now, s.rolloutId(),
        s.environment(), s.service(), s.version(), hostsWith(s, HostPhase.SUCCEEDED), hostsWith(s, HostPhase.FAILED),
        hostsWith(s, HostPhase.SKIPPED), unreached, null, null)));
    return d.step(actions, d.detail);
  }

  /** No further wave; hosts that took the version go back; the version is blocked when it failed. */
  private Step halt(Draft d, List<Action> actions, String reason, boolean block, Fleet fleet) {
    RolloutState s = d.snapshot();
    if (!d.finishedAnnounced && s.currentWave() >= 0 && waveFinished(s)) {
      actions.add(new Announce(waveFinishedEvent(s, d.now)));
    }
    d.detail = (block ? "halted: " : "") + reason;
    List<HostState> took = s.hosts().stream().filter(h -> HostPhase.of(h.state()) == HostPhase.SUCCEEDED).toList();
    List<HostVersion> back = took.stream().filter(h -> h.previousVersion() != null
        && !h.previousVersion().equals(s.version())).map(h -> new HostVersion(h.host(), h.previousVersion())).toList();
    if (block) {
      actions.add(new Block(reason, failedHosts(s)));
    }
    actions.add(new Announce(new RolloutHalted(eventId(s, "rollout", "halted"), source, d.now, s.rolloutId(),
        s.environment(), s.service(), s.version(), Math.max(0, s.currentWave()), reason, failedHosts(s), back, block,
        null, null)));
    d.phase = Phase.ROLLING_BACK;
    for (HostState h : took) {
      if (h.previousVersion() == null || h.previousVersion().equals(s.version())) {
        d.set(h.host(), HostPhase.ROLLBACK_FAILED, "no previous version known to send it back to");
      }
    }
    return sendBack(d, took.stream().filter(h -> h.previousVersion() != null
        && !h.previousVersion().equals(s.version())).toList(), actions, reason);
  }

  private Step sendBack(Draft d, List<HostState> hosts, List<Action> actions, String why) {
    for (HostState h : hosts) {
      d.set(h.host(), HostPhase.ROLLING_BACK, "sent back to " + h.previousVersion());
    }
    actions.addAll(rollbacksOf(hosts, d.now));
    return finishRollback(d, actions, why);
  }

  /** Ends the rollback once no host is in flight or rolling back. */
  private Step finishRollback(Draft d, List<Action> actions, String why) {
    RolloutState s = d.snapshot();
    boolean open = s.hosts().stream().map(h -> HostPhase.of(h.state()))
        .anyMatch(p -> p == HostPhase.REQUESTED || p == HostPhase.ROLLING_BACK);
    if (open) {
      return d.step(actions, why);
    }
    List<HostVersion> back = s.hosts().stream().filter(h -> HostPhase.of(h.state()) == HostPhase.ROLLED_BACK)
        .map(h -> new HostVersion(h.host(), h.previousVersion())).toList();
    List<String> failed = hostsWith(s, HostPhase.ROLLBACK_FAILED);
    if (back.isEmpty() && failed.isEmpty()) {
      d.phase = Phase.HALTED;
      return d.step(actions, why + "; nothing to roll back");
    }
    d.phase = Phase.ROLLED_BACK;
    actions.add(new Announce(new RolloutRolledBack(eventId(s, "rollout", "rolled-back"), source, d.now, s.rolloutId(),
        s.environment(), s.service(), s.version(), back, failed, null, null)));
    return d.step(actions, why + "; rollbacks done");
  }

  // --- derived facts

  /** The reason the failure threshold is reached, or null. Percent is of all hosts in the rollout. */
  static String thresholdReached(RolloutState s) {
    int failed = failedHosts(s).size();
    int total = s.hosts().size();
    Integer count = s.policy().failureCount();
    Integer percent = s.policy().failurePercent();
    if (count == null && percent == null) {
      count = 1;
    }
    if (count != null && failed >= count) {
      return failed + " of " + total + " hosts failed (threshold " + count + ")";
    }
    if (percent != null && total > 0 && failed * 100 >= percent * total) {
      return failed + " of " + total + " hosts failed (threshold " + percent + " %)";
    }
    return null;
  }

  static boolean waveFinished(RolloutState s) {
    if (s.currentWave() < 0) {
      return false;
    }
    return wave(s, s.currentWave()).hosts().stream().allMatch(h -> HostPhase.of(host(s, h).state()).decided());
  }

  private static boolean blockedBy(RolloutState s) {
    return s.detail() != null && s.detail().startsWith("halted: ");
  }

  private static List<String> failedHosts(RolloutState s) {
    return hostsWith(s, HostPhase.FAILED);
  }

  private static List<String> hostsWith(RolloutState s, HostPhase phase) {
    return s.hosts().stream().filter(h -> HostPhase.of(h.state()) == phase).map(HostState::host).sorted().toList();
  }

  private static List<String> hostsIn(RolloutState s, int wave, HostPhase phase) {
    return s.hosts().stream().filter(h -> h.wave() == wave && HostPhase.of(h.state()) == phase)
        .map(HostState::host).toList();
  }

  private static List<Action> rollbacksOf(List<HostState> hosts, Instant at) {
    Map<String, List<String>> byVersion = new TreeMap<>();
    for (HostState h : hosts) {
      byVersion.computeIfAbsent(h.previousVersion(), v -> new ArrayList<>()).add(h.host());
    }
    List<Action> out = new ArrayList<>();
    byVersion.forEach((version, list) -> out.add(new PublishRollback(version, list.stream().sorted().toList(), at)));
    return out;
  }

  private RolloutWaveFinished waveFinishedEvent(RolloutState s, Instant now) {
    int w = s.currentWave();
    return new RolloutWaveFinished(eventId(s, "wave-" + w, "finished"), source, now, s.rolloutId(), s.environment(),
        s.service(), s.version(), w, hostsIn(s, w, HostPhase.SUCCEEDED), hostsIn(s, w, HostPhase.FAILED),
        hostsIn(s, w, HostPhase.SKIPPED), hostsIn(s, w, HostPhase.UNREACHED), null, null);
  }

  static RolloutWave wave(RolloutState s, int index) {
    return s.waves().get(index);
  }

  static HostState host(RolloutState s, String host) {
    for (HostState h : s.hosts()) {
      if (h.host().equals(host)) {
        return h;
      }
    }
    return null;
  }

  private static HostState host(Draft d, String host) {
    return d.hosts.get(host);
  }

  private static int timeoutSeconds(RolloutPolicy p) {
    return p.waveTimeoutSeconds() == null ? 600 : p.waveTimeoutSeconds();
  }

  private static String reasonOf(Outcome o) {
    if (o instanceof DeployFailed f) {
      return f.step() + ": " + f.reason();
    }
    if (o instanceof DeployRolledBack r) {
      return "rolled back: " + r.reason();
    }
    return o instanceof DeploySkipped k ? k.reason() : null;
  }

  private static String eventId(RolloutState s, String part, String name) {
    return DeploymentIds.eventId(s.rolloutId(), part, name);
  }

  /** A state being changed: copied in, edited, and turned into the next recorded state. */
  private final class Draft {
    private final RolloutState base;
    private final Instant now;
    Phase phase;
    List<RolloutWave> waves;
    int currentWave;
    Instant waveStartedAt;
    Instant bakeUntil;
    boolean paused;
    Map<String, HostState> hosts;
    List<String> unreached;
    String detail;
    String supersededBy;
    boolean finishedAnnounced;

    Draft(RolloutState s, Instant now) {
      this.base = s;
      this.now = now;
      this.phase = Phase.of(s.phase());
      this.waves = s.waves();
      this.currentWave = s.currentWave();
      this.waveStartedAt = s.waveStartedAt();
      this.bakeUntil = s.bakeUntil();
      this.paused = s.paused();
      this.hosts = new LinkedHashMap<>();
      s.hosts().forEach(h -> hosts.put(h.host(), h));
      this.unreached = s.unreached();
      this.detail = s.detail();
      this.supersededBy = s.supersededBy();
      // A wave found finished in an earlier step was announced then.
      this.finishedAnnounced = s.currentWave() >= 0 && phase != Phase.PENDING && waveFinished(s);
    }

    void set(String host, HostPhase state, String why) {
      HostState h = hosts.get(host);
      hosts.put(host, new HostState(host, h.wave(), h.previousVersion(), state.word(), why));
    }

    RolloutState snapshot() {
      long seq = base.seq() + 1;
      return new RolloutState(DeploymentIds.eventId(base.rolloutId(), "state", String.valueOf(seq)), source, now,
          base.rolloutId(), base.environment(), base.service(), base.version(), seq, phase.word(), base.policy(),
          base.requestedAt(), base.trigger(), base.requestedBy(), base.reason(), base.commit(), base.branch(),
          base.repository(), waves, currentWave, waveStartedAt, bakeUntil, paused, new ArrayList<>(hosts.values()),
          unreached, detail, supersededBy, base.windowOverride(), base.traceparent(), base.tracestate(), null, null);
    }

    Step step(List<Action> actions, String why) {
      return new Step(snapshot(), List.copyOf(actions), why);
    }
  }

  /** Hosts for which {@code test} holds (tests and the API). */
  static List<String> hosts(RolloutState s, Predicate<HostState> test) {
    return s.hosts().stream().filter(test).map(HostState::host).toList();
  }
}
