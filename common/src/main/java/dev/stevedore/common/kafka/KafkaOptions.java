package dev.stevedore.common.kafka;

import java.util.HashMap;
import java.util.Map;

/**
 * Client configurations with Stevedore's guarantees built in: producers wait for all in-sync
 * replicas and are idempotent; consumers never auto-commit and read only committed records.
 * Keys are strings, values raw bytes (the {@link dev.stevedore.common.event.EventCodec} owns them).
 */
public final class KafkaOptions {
  private KafkaOptions() {}

  public static Map<String, String> producer(KafkaSettings settings) {
    Map<String, String> config = new HashMap<>(settings.properties());
    config.put("bootstrap.servers", settings.bootstrapServers());
    config.put("client.id", settings.clientId());
    config.put("acks", "all");
    config.put("enable.idempotence", "true");
    config.put("max.in.flight.requests.per.connection", "5");
    config.put("retries", String.valueOf(Integer.MAX_VALUE));
    config.put("request.timeout.ms", String.valueOf(settings.requestTimeoutMs()));
    config.put("linger.ms", config.getOrDefault("linger.ms", "1"));
    config.put("max.block.ms", String.valueOf(settings.requestTimeoutMs()));
    config.put("compression.type", config.getOrDefault("compression.type", "none"));
    config.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    config.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
    long minDelivery = Long.parseLong(config.get("linger.ms")) + settings.requestTimeoutMs();
    config.put("delivery.timeout.ms", String.valueOf(Math.max(settings.deliveryTimeoutMs(), minDelivery)));
    return config;
  }

  public static Map<String, String> consumer(KafkaSettings settings, String groupId) {
    Map<String, String> config = new HashMap<>(settings.properties());
    config.put("bootstrap.servers", settings.bootstrapServers());
    config.put("client.id", settings.clientId());
    config.put("group.id", groupId);
    config.put("enable.auto.commit", "false");
    config.put("auto.offset.reset", config.getOrDefault("auto.offset.reset", "earliest"));
    config.put("isolation.level", "read_committed");
    config.put("fetch.max.wait.ms", String.valueOf(settings.fetchMaxWaitMs()));
    config.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    config.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
    return config;
  }

  public static Map<String, String> admin(KafkaSettings settings) {
    Map<String, String> config = new HashMap<>(settings.properties());
    config.put("bootstrap.servers", settings.bootstrapServers());
    config.put("client.id", settings.clientId() + "-admin");
    config.put("request.timeout.ms", String.valueOf(settings.requestTimeoutMs()));
    config.put("default.api.timeout.ms", String.valueOf(settings.deliveryTimeoutMs()));
    return config;
  }
}
