package dev.stevedore.common.event;

import java.time.Instant;
import java.util.List;

/**
 * Blocks {@code version} of {@code service} in {@code environment} fleet-wide after a rollout
 * halted because the version itself failed. The value of the compacted topic
 * {@code stevedore.fleet.blocklist}, key {@code environment/service/version}; a signed
 * {@link VersionUnblocked} under the same key (or a tombstone) lifts it. The trigger answers 409 to
 * a request for a blocked version; agents refuse it. Signed by the trigger.
 *
 * @param rolloutId the rollout that halted
 * @param reason why (the halt's reason)
 * @param hosts the hosts where the version failed
 */
public record VersionBlocked(
    String id,
    String source,
    Instant time,
    String rolloutId,
    String environment,
    String service,
    String version,
    String reason,
    List<String> hosts,
    String keyId,
    String signature)
    implements StevedoreEvent, SignedRequest<VersionBlocked> {

  public VersionBlocked {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    rolloutId = Fields.required("rolloutId", rolloutId);
    environment = Fields.required("environment", environment);
    service = Fields.required("service", service);
    version = Fields.required("version", version);
    reason = Fields.required("reason", reason);
    hosts = Fields.list(hosts);
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  @Override
  public EventType type() {
    return EventType.VERSION_BLOCKED;
  }

  @Override
  public String subject() {
    return rolloutId;
  }

  @Override
  public VersionBlocked unsigned() {
    return withSignature(null, null);
  }

  @Override
  public VersionBlocked withSignature(String keyId, String signature) {
    return new VersionBlocked(id, source, time, rolloutId, environment, service, version, reason, hosts, keyId,
        signature);
  }

  /** The Kafka key on the blocklist topic. */
  public String blocklistKey() {
    return blocklistKey(environment, service, version);
  }

  public static String blocklistKey(String environment, String service, String version) {
    return environment + "/" + service + "/" + version;
  }
}
