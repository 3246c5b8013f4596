package dev.stevedore.common.event;

import java.time.Instant;
import java.util.List;

/**
 * A rollout began: its resolved policy, its planned waves (hosts from the agents' heartbeats) and the hosts that were silent (unreached, never waited for).
 * Published by the trigger's fleet coordinator, signed like {@link DeployRequested}.
 */
public record RolloutStarted(
    String id,
    String source,
    Instant time,
    String rolloutId,
    String environment,
    String service,
    String version,
    RolloutPolicy policy,
    List<RolloutWave> waves,
    List<String> unreached,
    String supersedes,
    String requestedBy,
    String reason,
    String keyId,
    String signature)
    implements RolloutEvent, SignedRequest<RolloutStarted> {

  public RolloutStarted {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    rolloutId = Fields.required("rolloutId", rolloutId);
    environment = Fields.required("environment", environment);
    service = Fields.required("service", service);
    version = Fields.required("version", version);
    if (policy == null) {
      throw new IllegalArgumentException("missing required field 'policy'");
    }
    waves = Fields.list(waves);
    unreached = Fields.list(unreached);
    supersedes = Fields.optional("supersedes", supersedes);
    requestedBy = Fields.optional("requestedBy", requestedBy);
    reason = Fields.optional("reason", reason);
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  @Override
  public EventType type() {
    return EventType.ROLLOUT_STARTED;
  }

  @Override
  public RolloutStarted unsigned() {
    return withSignature(null, null);
  }

  @Override
  public RolloutStarted withSignature(String keyId, String signature) {
    return new RolloutStarted(id, source, time, rolloutId, environment, service, version, policy, waves, unreached, supersedes, requestedBy, reason, keyId, signature);
  }
}
