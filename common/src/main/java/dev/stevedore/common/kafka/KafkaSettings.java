package dev.stevedore.common.kafka;

import java.util.Map;

/**
 * How a service reaches Kafka. {@code properties} pass through to the clients unchanged, which is
 * where TLS and SASL settings go ({@code security.protocol}, {@code sasl.jaas.config}, ...).
 *
 * @param requestTimeoutMs bound on one produce request
 * @param deliveryTimeoutMs bound on a send, retries included: no publish waits longer
 */
public record KafkaSettings(
    String bootstrapServers,
    String clientId,
    int requestTimeoutMs,
    int deliveryTimeoutMs,
    int fetchMaxWaitMs,
    Map<String, String> properties) {

  public KafkaSettings {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("kafka.bootstrapServers is required");
    }
    clientId = clientId == null || clientId.isBlank() ? "stevedore" : clientId;
    requestTimeoutMs = requestTimeoutMs <= 0 ? 5_000 : requestTimeoutMs;
    deliveryTimeoutMs = deliveryTimeoutMs <= 0 ? 10_000 : Math.max(deliveryTimeoutMs, requestTimeoutMs);
    fetchMaxWaitMs = fetchMaxWaitMs <= 0 ? 500 : fetchMaxWaitMs;
    properties = properties == null ? Map.of() : Map.copyOf(properties);
  }

  public static KafkaSettings of(String bootstrapServers) {
    return new KafkaSettings(bootstrapServers, null, 0, 0, 0, null);
  }

  public KafkaSettings withClientId(String id) {
    return new KafkaSettings(bootstrapServers, id, requestTimeoutMs, deliveryTimeoutMs, fetchMaxWaitMs, properties);
  }

  /** Names the properties but leaves out their values: they hold credentials (sasl.jaas.config, ...). */
  @Override
  public String toString() {
    return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", clientId=" + clientId + ", requestTimeoutMs="
        + requestTimeoutMs + ", deliveryTimeoutMs=" + deliveryTimeoutMs + ", fetchMaxWaitMs=" + fetchMaxWaitMs
        + ", properties=" + new java.util.TreeSet<>(properties.keySet()) + "]";
  }
}
