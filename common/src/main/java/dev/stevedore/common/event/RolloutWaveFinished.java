package dev.stevedore.common.event;

import java.time.Instant;
import java.util.List;

/**
 * Every host of a wave has an outcome or was given up on: which succeeded, failed, skipped, or stayed unreached.
 * Published by the trigger's fleet coordinator, signed like {@link DeployRequested}.
 */
public record RolloutWaveFinished(
    String id,
    String source,
    Instant time,
    String rolloutId,
    String environment,
    String service,
    String version,
    int wave,
    List<String> succeeded,
    List<String> failed,
    List<String> skipped,
    List<String> unreached,
    String keyId,
    String signature)
    implements RolloutEvent, SignedRequest<RolloutWaveFinished> {

  public RolloutWaveFinished {
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
    succeeded = Fields.list(succeeded);
    failed = Fields.list(failed);
    skipped = Fields.list(skipped);
    unreached = Fields.list(unreached);
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  @Override
  public EventType type() {
    return EventType.ROLLOUT_WAVE_FINISHED;
  }

  @Override
  public RolloutWaveFinished unsigned() {
    return withSignature(null, null);
  }

  @Override
  public RolloutWaveFinished withSignature(String keyId, String signature) {
    return new RolloutWaveFinished(id, source, time, rolloutId, environment, service, version, wave, succeeded, failed, skipped, unreached, keyId, signature);
  }
}
