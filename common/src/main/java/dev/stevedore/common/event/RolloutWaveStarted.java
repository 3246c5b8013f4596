package dev.stevedore.common.event;

import java.time.Instant;
import java.util.List;

/**
 * The coordinator published the signed request of one wave ({@code Target.hosts} = the wave's hosts); {@code requestId} is that request's event id.
 * Published by the trigger's fleet coordinator, signed like {@link DeployRequested}.
 */
public record RolloutWaveStarted(
    String id,
    String source,
    Instant time,
    String rolloutId,
    String environment,
    String service,
    String version,
    int wave,
    List<String> hosts,
    boolean canary,
    String requestId,
    String keyId,
    String signature)
    implements RolloutEvent, SignedRequest<RolloutWaveStarted> {

  public RolloutWaveStarted {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    rolloutId = Fields.required("rolloutId", rolloutId);
    environment = Fields.required("environment", environment);
    service = Fields.required("service", service);
    version = Fields.required("version", version);
    if (wave < 0) {
      throw new IllegalArgumentException("wave must not be negative");
    }
    hosts = Fields.list(hosts);
    requestId = Fields.required("requestId", requestId);
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  @Override
  public EventType type() {
    return EventType.ROLLOUT_WAVE_STARTED;
  }

  @Override
  public RolloutWaveStarted unsigned() {
    return withSignature(null, null);
  }

  @Override
  public RolloutWaveStarted withSignature(String keyId, String signature) {
    return new RolloutWaveStarted(id, source, time, rolloutId, environment, service, version, wave, hosts, canary, requestId, keyId, signature);
  }
}
