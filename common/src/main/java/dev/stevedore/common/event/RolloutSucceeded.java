package dev.stevedore.common.event;

import java.time.Instant;
import java.util.List;

/**
 * Every wave finished below the failure threshold: the hosts that run the version, and those that failed, skipped or were unreached (reported, not waited for).
 * Published by the trigger's fleet coordinator, signed like {@link DeployRequested}.
 */
public record RolloutSucceeded(
    String id,
    String source,
    Instant time,
    String rolloutId,
    String environment,
    String service,
    String version,
    List<String> succeeded,
    List<String> failed,
    List<String> skipped,
    List<String> unreached,
    String keyId,
    String signature)
    implements RolloutEvent, SignedRequest<RolloutSucceeded> {

  public RolloutSucceeded {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    rolloutId = Fields.required("rolloutId", rolloutId);
    environment = Fields.required("environment", environment);
    service = Fields.required("service", service);
    version = Fields.required("version", version);
    succeeded = Fields.list(succeeded);
    failed = Fields.list(failed);
    skipped = Fields.list(skipped);
    unreached = Fields.list(unreached);
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  @Override
  public EventType type() {
    return EventType.ROLLOUT_SUCCEEDED;
  }

  @Override
  public RolloutSucceeded unsigned() {
    return withSignature(null, null);
  }

  @Override
  public RolloutSucceeded withSignature(String keyId, String signature) {
    return new RolloutSucceeded(id, source, time, rolloutId, environment, service, version, succeeded, failed, skipped, unreached, keyId, signature);
  }
}
