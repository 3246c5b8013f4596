package dev.stevedore.common.event;

import java.time.Instant;

/**
 * A newer request for the same environment and service stopped this rollout (latest wins); that rollout starts from its first wave.
 * Published by the trigger's fleet coordinator, signed like {@link DeployRequested}.
 */
public record RolloutSuperseded(
    String id,
    String source,
    Instant time,
    String rolloutId,
    String environment,
    String service,
    String version,
    String supersededBy,
    String supersededByVersion,
    String keyId,
    String signature)
    implements RolloutEvent, SignedRequest<RolloutSuperseded> {

  public RolloutSuperseded {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    rolloutId = Fields.required("rolloutId", rolloutId);
    environment = Fields.required("environment", environment);
    service = Fields.required("service", service);
    version = Fields.required("version", version);
    supersededBy = Fields.required("supersededBy", supersededBy);
    supersededByVersion = Fields.required("supersededByVersion", supersededByVersion);
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  @Override
  public EventType type() {
    return EventType.ROLLOUT_SUPERSEDED;
  }

  @Override
  public RolloutSuperseded unsigned() {
    return withSignature(null, null);
  }

  @Override
  public RolloutSuperseded withSignature(String keyId, String signature) {
    return new RolloutSuperseded(id, source, time, rolloutId, environment, service, version, supersededBy, supersededByVersion, keyId, signature);
  }
}
