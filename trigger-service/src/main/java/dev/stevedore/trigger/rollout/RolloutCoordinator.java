package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.AgentHeartbeat;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.TraceContext;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.event.RolloutEvent;
import dev.stevedore.common.event.RolloutHalted;
import dev.stevedore.common.event.RolloutRolledBack;
import dev.stevedore.common.event.RolloutStarted;
import dev.stevedore.common.event.RolloutState;
import dev.stevedore.common.event.RolloutSucceeded;
import dev.stevedore.common.event.RolloutSuperseded;
import dev.stevedore.common.event.RolloutWaveFinished;
import dev.stevedore.common.event.RolloutWaveStarted;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.event.Target;
import dev.stevedore.common.event.VersionBlocked;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.common.security.RequestVerifier;
import dev.stevedore.trigger.rollout.RolloutMachine.Action;
import dev.stevedore.trigger.rollout.RolloutMachine.Step;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the rollouts of the keys ({@code environment/service}) this instance owns: folds outcomes,
 * the clock and commands through {@link RolloutMachine}, records each new state on the compacted
 * state topic, and only then acts (wave requests, rollbacks, the block, rollout events). Every
 * instance knows every recorded state (the API answers anywhere); only the owner acts. All methods
 * run on one Vert.x context (the verticle's); nothing here blocks.
 */
public final class RolloutCoordinator {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutCoordinator.class);
  private static final int MAX_KNOWN = 10_000;

  /** Where the coordinator writes; each completes on Kafka's acknowledgement. */
  public interface Outbox {
    Future<Void> record(RolloutState signed);

    Future<Void> request(DeployRequested signed);

    /** With the trace context of the request that started the rollout, as extension attributes. */
    default Future<Void> request(DeployRequested signed, java.util.Optional<TraceContext> trace) {
      return request(signed);
    }

    Future<Void> announce(RolloutEvent signed);

    Future<Void> block(VersionBlocked signed);
  }

  private final RolloutMachine machine;
  private final Membership membership;
  private final RequestSigner signer;
  private final RequestVerifier verifier;
  private final Outbox outbox;
  private final Predicate<String> owns;
  private final Duration deadline;
  private final Clock clock;
  private final String source;
  private final DeployWindows windows;
  /** The rollouts this instance logged as waiting for a window (logged once each). */
  private final Set<String> waiting = new HashSet<>();

  private final Map<String, RolloutState> current = new HashMap<>();
  private final Map<String, RolloutState> pending = new HashMap<>();
  private final Map<String, RolloutState> byId = bounded();
  /** Outcomes by deployment id, then host (the newest per host): replayed until their rollout uses them. */
  private final Map<String, Map<String, Outcome>> outcomes = bounded();
  private final Set<String> busy = new HashSet<>();
  private final Set<String> again = new HashSet<>();
  /** Commands that arrived while their key's step was being recorded: decided when it is done, in arrival order. */
  private final Map<String, List<Runnable>> queued = new HashMap<>();
  /**
   * Actions of a recorded state that did not complete (a broker failing over timed a wave request
   * out, say), by key: performed again, in order, before the key's next step. The state already
   * says they happened, so nothing else would ever redo them; every one is idempotent (the same
   * event id each time, which agents and the audit deduplicate).
   */
  private final Map<String, Owed> owed = new HashMap<>();

  private record Owed(RolloutState state, List<Action> actions) {}

  /** @param owns whether this instance coordinates a key now (backed by {@code PartitionOwnership}) */
  public RolloutCoordinator(RolloutMachine machine, Membership membership, RequestSigner signer,
      RequestVerifier verifier, Outbox outbox, Predicate<String> owns, Duration heartbeatDeadline, String instanceId,
      Clock clock) {
    this(machine, membership, signer, verifier, outbox, owns, heartbeatDeadline, instanceId, clock,
        new DeployWindows(Map.of()));
  }

  /** @param windows the deploy windows and freezes: a pending rollout starts only while its environment is open */
  public RolloutCoordinator(RolloutMachine machine, Membership membership, RequestSigner signer,
      RequestVerifier verifier, Outbox outbox, Predicate<String> owns, Duration heartbeatDeadline, String instanceId,
      Clock clock, DeployWindows windows) {
    this.windows = windows;
    this.machine = machine;
    this.membership = membership;
    this.signer = signer;
    this.verifier = verifier;
    this.outbox = outbox;
    this.owns = owns;
    this.deadline = heartbeatDeadline;
    this.source = "stevedore://trigger/" + instanceId;
    this.clock = clock;
  }

  private static <V> Map<String, V> bounded() {
    return new LinkedHashMap<>(256, 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_KNOWN;
      }
    };
  }

  // --- inputs

  /** A state read from the topic (any instance's, untrusted until verified). */
  public void recorded(RolloutState s) {
    String rejection = verifier.rejection(s);
    if (rejection != null) {
      LOG.warn("rollout state for {} ignored: {}", s.partitionKey(), rejection);
      return;
    }
    remember(s);
  }

  /** A verified agent outcome or heartbeat (the caller checks agent signatures). */
  public void heard(StevedoreEvent event) {
    if (event instanceof AgentHeartbeat h) {
      membership.heard(h);
    } else if (event instanceof Outcome o) {
      outcomes.computeIfAbsent(o.deploymentId(), k -> new HashMap<>()).put(o.host(), o);
      String key = o.environment() + "/" + o.service();
      RolloutState s = current.get(key);
      if (s != null && relevant(s, o)) {
        advance(key);
      }
    }
  }

  /** The partitions of these keys are now this instance's: re-assert what their rollouts were doing, then go on. */
  public void takeOver(Set<String> keys) {
    for (String key : keys) {
      RolloutState s = current.get(key);
      if (s != null && !Phase.of(s.phase()).done()) {
        LOG.info("coordinating rollout {} of {} from its recorded state (seq {}, {})", s.rolloutId(), key, s.seq(),
            s.phase());
        List<Action> redo = machine.resume(s);
        serially(key, () -> perform(key, s, redo).compose(v -> step(key)));
      } else {
        advance(key);
      }
    }
  }

  /** The clock: every owned key with work. */
  public void tick() {
    Set<String> keys = new HashSet<>(current.keySet());
    keys.addAll(pending.keySet());
    keys.forEach(this::advance);
  }

  /** A deployer's command on a rollout; fails with {@link IllegalStateException} when it does not apply. */
  public Future<RolloutState> command(String rolloutId, RolloutMachine.Command command, String by, String why) {
    RolloutState s = byId.get(rolloutId);
    if (s == null) {
      return Future.failedFuture(new java.util.NoSuchElementException("no rollout " + rolloutId));
    }
    String key = s.partitionKey();
    RolloutState now = current.get(key);
    if (now == null || !now.rolloutId().equals(rolloutId)) {
      return Future.failedFuture(new IllegalStateException("rollout " + rolloutId + " is "
          + (s.supersededBy() != null ? "superseded by " + s.supersededBy() : s.phase())));
    }
    if (!owns.test(key)) {
      return Future.failedFuture(new NotCoordinator(key));
    }
    if (busy.contains(key)) {
      // A step of this rollout is being recorded: deciding now would act on a stale state. Decide once it is on
      // the topic (a bounded wait: the record completes or fails within the producer's delivery timeout).
      Promise<RolloutState> decided = Promise.promise();
      queued.computeIfAbsent(key, k -> new ArrayList<>())
          .add(() -> command(rolloutId, command, by, why).onComplete(decided));
      return decided.future();
    }
    Step step;
    try {
      step = machine.command(now, command, by, why, fleet(now), clock.instant());
    } catch (IllegalStateException e) {
      return Future.failedFuture(e);
    }
    LOG.info("rollout {}: {} by {}: {}", rolloutId, command, by, step.reason());
    return serially(key, () -> apply(key, now, step)).map(v -> current.get(key));
  }

  /** Thrown when another instance coordinates the key. */
  public static final class NotCoordinator extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotCoordinator(String key) {
      super("this trigger instance does not coordinate " + key + " now; retry (another instance owns it)");
    }
  }

  /** The newest known state of a rollout, on any instance. */
  public Optional<RolloutState> rollout(String rolloutId) {
    return Optional.ofNullable(byId.get(rolloutId));
  }

  /** The hosts of {@code environment} that manage {@code service}, alive or silent now. */
  public Membership.Candidates candidates(String environment, String service) {
    return membership.candidates(environment, service, Map.of(), clock.instant(), deadline);
  }

  /** The outcomes known for a deployment id, by host. */
  public Map<String, Outcome> outcomes(String deploymentId) {
    return Map.copyOf(outcomes.getOrDefault(deploymentId, Map.of()));
  }

  // --- the fold

  private void remember(RolloutState s) {
    String key = s.partitionKey();
    RolloutState known = byId.get(s.rolloutId());
    if (known != null && known.seq() >= s.seq()) {
      return; // our own write read back, or an older one
    }
    byId.put(s.rolloutId(), s);
    RolloutState c = current.get(key);
    if (Phase.of(s.phase()) == Phase.PENDING) {
      RolloutState p = pending.get(key);
      if ((c == null || !s.requestedAt().isBefore(c.requestedAt())) && (p == null || newer(s, p))) {
        pending.put(key, s);
      }
    } else if (c == null || c.rolloutId().equals(s.rolloutId()) || !s.requestedAt().isBefore(c.requestedAt())) {
      current.put(key, s);
      RolloutState p = pending.get(key);
      if (p != null && p.rolloutId().equals(s.rolloutId())) {
        pending.remove(key);
      }
    }
    advance(key);
  }

  private static boolean newer(RolloutState a, RolloutState b) {
    return a.requestedAt().isAfter(b.requestedAt())
        || (a.requestedAt().equals(b.requestedAt()) && a.rolloutId().compareTo(b.rolloutId()) > 0);
  }

  /** Works on {@code key} when this instance owns it; one step at a time per key. */
  private void advance(String key) {
    if (owns.test(key)) {
      serially(key, () -> step(key));
    }
  }

  private Future<Void> serially(String key, java.util.function.Supplier<Future<Void>> work) {
    if (!busy.add(key)) {
      again.add(key);
      return Future.succeededFuture();
    }
    Future<Void> f;
    try {
      f = work.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.onComplete(ar -> {
      busy.remove(key);
      if (ar.failed()) {
        LOG.warn("rollout of {}: {} (retried on the next tick)", key, ar.cause().toString());
      }
      // Waiting commands before the next step, so a busy rollout cannot starve them; the first one to run takes the
      // key again and the others wait for it in turn.
      List<Runnable> commands = queued.remove(key);
      if (commands != null) {
        commands.forEach(Runnable::run);
      }
      if (again.remove(key)) {
        advance(key);
      }
    });
  }

  /** Plans a newer request (superseding the one in flight), folds buffered outcomes and the clock, records, acts. */
  private Future<Void> step(String key) {
    if (!owns.test(key)) {
      return Future.succeededFuture();
    }
    Owed debt = owed.remove(key);
    if (debt != null) {
      RolloutState c = current.get(key);
      if (c != null && c.rolloutId().equals(debt.state().rolloutId())) {
        LOG.info("rollout {} of {}: performing again what seq {} left undone: {}", debt.state().rolloutId(), key,
            debt.state().seq(), debt.actions().stream().map(a -> a.getClass().getSimpleName()).toList());
        return perform(key, debt.state(), debt.actions()).compose(v -> step(key));
      }
      // another rollout took the key: what the old one owed is moot (it was superseded)
    }
    Instant now = clock.instant();
    RolloutState c = current.get(key);
    RolloutState p = pending.get(key);
    if (p != null && (c == null || !c.rolloutId().equals(p.rolloutId())) && !mayStart(p, now)) {
      return Future.succeededFuture(); // waits for its window; the tick looks again
    }
    if (p != null && (c == null || !c.rolloutId().equals(p.rolloutId()))) {
      waiting.remove(p.rolloutId());
      Future<Void> superseded = Future.succeededFuture();
      String supersedes = null;
      if (c != null && Phase.of(c.phase()).inFlight()) {
        if (newer(c, p)) {
          pending.remove(key); // an older request read late: the one running is the newest
          return Future.succeededFuture();
        }
        supersedes = c.rolloutId();
        superseded = apply(key, c, machine.supersede(c, p, now));
      }
      String replaced = supersedes;
      return superseded.compose(v -> {
        Membership.Candidates cand = membership.candidates(p.environment(), p.service(), Map.of(), now, deadline);
        return apply(key, p, machine.plan(p, cand.alive(), cand.silent(), fleet(p), replaced, now));
      });
    }
    if (c == null || Phase.of(c.phase()).done()) {
      return Future.succeededFuture();
    }
    RolloutState s = c;
    List<Action> actions = new ArrayList<>();
    RolloutMachine.Fleet fleet = fleet(c);
    for (Outcome o : relevantOutcomes(c)) {
      Step st = machine.outcome(s, o, fleet, now);
      if (st.changed(s)) {
        s = st.state();
        actions.addAll(st.actions());
      }
    }
    Step tick = machine.tick(s, fleet, now);
    if (tick.changed(s)) {
      s = tick.state();
      actions.addAll(tick.actions());
    }
    if (s == c) {
      return Future.succeededFuture();
    }
    return apply(key, c, new Step(s, actions, "outcomes and clock"));
  }

  /**
   * Whether a pending rollout may be planned now: a deployer overrode the windows, or its
   * environment was open when it was recorded (a request accepted inside a window is not held
   * because the coordinator saw it late), or it is open now.
   */
  private boolean mayStart(RolloutState p, Instant now) {
    if (p.windowOverride() != null || windows.decide(p.environment(), p.time()).open()) {
      return true;
    }
    DeployWindows.Decision d = windows.decide(p.environment(), now);
    if (!d.open() && waiting.add(p.rolloutId())) {
      if (waiting.size() > MAX_KNOWN) {
        waiting.clear();
      }
      LOG.info("rollout {} of {} waits for a deploy window of {}: {}; next opening {}", p.rolloutId(),
          p.partitionKey(), p.environment(), d.reason(), d.opensAt().map(Instant::toString).orElse("none within a year"));
    }
    return d.open();
  }

  /** Records the step's state (signed), then performs its actions in order. */
  private Future<Void> apply(String key, RolloutState before, Step step) {
    if (!step.changed(before)) {
      return Future.succeededFuture();
    }
    RolloutState signed = signer.sign(step.state());
    return outbox.record(signed).compose(v -> {
      LOG.info("rollout {} of {}: {} (seq {}): {}", signed.rolloutId(), key, signed.phase(), signed.seq(),
          step.reason());
      remember(signed);
      return perform(key, signed, step.actions());
    });
  }

  /** Performs {@code actions} of recorded state {@code s} in order; what fails is owed (with what follows it). */
  private Future<Void> perform(String key, RolloutState s, List<Action> actions) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < actions.size(); i++) {
      Action a = actions.get(i);
      List<Action> rest = List.copyOf(actions.subList(i, actions.size()));
      chain = chain.compose(v -> act(s, a).recover(e -> {
        owed.put(key, new Owed(s, rest));
        return Future.failedFuture(e);
      }));
    }
    return chain;
  }

  private Future<Void> act(RolloutState s, Action a) {
    if (a instanceof RolloutMachine.PublishWave w) {
      return outbox.request(signer.sign(new DeployRequested(RolloutMachine.waveRequestId(s.rolloutId(), w.wave()),
          source, w.at(), s.rolloutId(), s.service(), s.environment(), s.version(), s.commit(), s.branch(),
          s.repository(), s.requestedBy(), s.trigger(), s.reason(), new Target(s.environment(), w.hosts(), Map.of()),
          null, null)), s.trace());
    }
    if (a instanceof RolloutMachine.PublishRollback r) {
      String id = RolloutMachine.rollbackId(s.rolloutId(), r.version());
      return outbox.request(signer.sign(new DeployRequested(DeploymentIds.eventId(id, "trigger", "requested"),
          source, r.at(), id, s.service(), s.environment(), r.version(), null, null, null, "rollout:" + s.rolloutId(),
          "rollback", "rollout " + s.rolloutId() + " of " + s.version() + " halted: " + s.detail(),
          new Target(s.environment(), r.hosts(), Map.of()), null, null)), s.trace());
    }
    if (a instanceof RolloutMachine.Block b) {
      return outbox.block(signer.sign(new VersionBlocked(DeploymentIds.eventId(s.rolloutId(), "trigger", "blocked"),
          source, s.time(), s.rolloutId(), s.environment(), s.service(), s.version(), b.reason(), b.hosts(), null,
          null)));
    }
    return outbox.announce(sign(((RolloutMachine.Announce) a).event()));
  }

  private RolloutEvent sign(RolloutEvent e) {
    if (e instanceof RolloutStarted x) {
      return signer.sign(x);
    } else if (e instanceof RolloutWaveStarted x) {
      return signer.sign(x);
    } else if (e instanceof RolloutWaveFinished x) {
      return signer.sign(x);
    } else if (e instanceof RolloutHalted x) {
      return signer.sign(x);
    } else if (e instanceof RolloutSucceeded x) {
      return signer.sign(x);
    } else if (e instanceof RolloutRolledBack x) {
      return signer.sign(x);
    } else if (e instanceof RolloutSuperseded x) {
      return signer.sign(x);
    }
    return signer.sign((RolloutState) e);
  }

  private List<Outcome> relevantOutcomes(RolloutState s) {
    List<Outcome> out = new ArrayList<>(outcomes.getOrDefault(s.rolloutId(), Map.of()).values());
    s.hosts().stream().map(RolloutState.HostState::previousVersion).filter(v -> v != null).distinct()
        .forEach(v -> out.addAll(outcomes.getOrDefault(RolloutMachine.rollbackId(s.rolloutId(), v), Map.of()).values()));
    return out;
  }

  private static boolean relevant(RolloutState s, Outcome o) {
    if (o.deploymentId().equals(s.rolloutId())) {
      return true;
    }
    RolloutState.HostState h = RolloutMachine.host(s, o.host());
    return h != null && h.previousVersion() != null
        && o.deploymentId().equals(RolloutMachine.rollbackId(s.rolloutId(), h.previousVersion()));
  }

  private RolloutMachine.Fleet fleet(RolloutState s) {
    return membership.fleet(s.environment(), s.service(), Map.of(), clock.instant(), deadline);
  }
}
