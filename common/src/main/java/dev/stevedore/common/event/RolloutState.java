package dev.stevedore.common.event;

import java.time.Instant;
import java.util.List;

/**
 * The whole state of one service's rollout in one environment, as the coordinator recorded it
 * before acting on it: the value of the compacted topic {@code stevedore.rollout.state} (key
 * {@code environment/service}). A successor coordinator resumes exactly from the newest one.
 * Signed by the trigger: a state that does not verify is never acted on.
 *
 * @param seq increases by one with every recorded decision of this rollout
 * @param phase {@code pending} (requested, not planned yet), {@code running}, {@code baking},
 *     {@code awaiting-promotion}, {@code rolling-back}, {@code halted}, {@code rolled-back},
 *     {@code succeeded}, {@code superseded}
 * @param requestedAt when the request that started it was made (latest wins by this time)
 * @param currentWave the wave under way or last finished; -1 before the first
 * @param waveStartedAt when {@code currentWave} was published
 * @param bakeUntil canary: when the bake time ends
 * @param paused no further wave while true (the wave under way finishes)
 * @param hosts every host of the rollout and where it stands
 * @param unreached hosts that were silent when the rollout was planned (reported, never waited for)
 * @param detail why the rollout is in its phase (a halt's reason, who paused it)
 * @param supersededBy the rollout that replaced this one
 * @param windowOverride who started it outside the environment's deploy windows, and why
 *     ({@code by <requester>: <reason>}); absent when the windows were respected
 * @param traceparent the W3C trace context of the HTTP request that started it (see
 *     {@link TraceContext}); its wave requests carry it as their {@code traceparent} extension
 *     attribute. Optional and signed with the rest; a state without it is what it was before
 * @param tracestate the {@code tracestate} beside it; only with a {@code traceparent}
 */
public record RolloutState(
    String id,
    String source,
    Instant time,
    String rolloutId,
    String environment,
    String service,
    String version,
    long seq,
    String phase,
    RolloutPolicy policy,
    Instant requestedAt,
    String trigger,
    String requestedBy,
    String reason,
    String commit,
    String branch,
    String repository,
    List<RolloutWave> waves,
    int currentWave,
    Instant waveStartedAt,
    Instant bakeUntil,
    boolean paused,
    List<HostState> hosts,
    List<String> unreached,
    String detail,
    String supersededBy,
    String windowOverride,
    String traceparent,
    String tracestate,
    String keyId,
    String signature)
    implements RolloutEvent, SignedRequest<RolloutState> {

  /**
   * One host of a rollout.
   *
   * @param wave the wave it belongs to
   * @param previousVersion what it ran before (from its heartbeat); where a halt sends it back
   * @param state {@code pending}, {@code requested}, {@code succeeded}, {@code failed}, {@code skipped},
   *     {@code unreached}, {@code rolling-back}, {@code rolled-back}, {@code rollback-failed}
   * @param detail the outcome's reason
   */
  public record HostState(String host, int wave, String previousVersion, String state, String detail) {
    public HostState {
      host = Fields.required("hosts[].host", host);
      previousVersion = Fields.optional("hosts[].previousVersion", previousVersion);
      state = Fields.required("hosts[].state", state);
      detail = Fields.optional("hosts[].detail", Fields.tail(detail, 512));
    }
  }

  public RolloutState {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    rolloutId = Fields.required("rolloutId", rolloutId);
    environment = Fields.required("environment", environment);
    service = Fields.required("service", service);
    version = Fields.required("version", version);
    if (seq < 0) {
      throw new IllegalArgumentException("seq must not be negative");
    }
    phase = Fields.required("phase", phase);
    if (policy == null) {
      throw new IllegalArgumentException("missing required field 'policy'");
    }
    requestedAt = Fields.required("requestedAt", requestedAt);
    trigger = Fields.required("trigger", trigger);
    requestedBy = Fields.optional("requestedBy", requestedBy);
    reason = Fields.optional("reason", reason);
    commit = Fields.optional("commit", commit);
    branch = Fields.optional("branch", branch);
    repository = Fields.optional("repository", repository);
    waves = Fields.list(waves);
    if (currentWave < -1 || currentWave >= Math.max(1, waves.size())) {
      throw new IllegalArgumentException("currentWave " + currentWave + " is outside the " + waves.size() + " waves");
    }
    hosts = Fields.list(hosts);
    unreached = Fields.list(unreached);
    detail = Fields.optional("detail", Fields.tail(detail, Fields.MAX_TEXT));
    supersededBy = Fields.optional("supersededBy", supersededBy);
    windowOverride = Fields.optional("windowOverride", Fields.tail(windowOverride, Fields.MAX_TEXT));
    if (traceparent != null) {
      new TraceContext(traceparent, tracestate); // refuses what the trigger would not have taken
    } else if (tracestate != null) {
      throw new IllegalArgumentException("tracestate without traceparent");
    }
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  /** The trace context of the request that started it, if any. */
  public java.util.Optional<TraceContext> trace() {
    return TraceContext.of(traceparent, tracestate);
  }

  @Override
  public EventType type() {
    return EventType.ROLLOUT_STATE;
  }

  @Override
  public RolloutState unsigned() {
    return withSignature(null, null);
  }

  @Override
  public RolloutState withSignature(String keyId, String signature) {
    return new RolloutState(id, source, time, rolloutId, environment, service, version, seq, phase, policy,
        requestedAt, trigger, requestedBy, reason, commit, branch, repository, waves, currentWave, waveStartedAt,
        bakeUntil, paused, hosts, unreached, detail, supersededBy, windowOverride, traceparent, tracestate, keyId, signature);
  }
}
