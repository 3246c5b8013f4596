package dev.stevedore.common.runtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.producer.KafkaProducer;
import java.util.Map;

/**
 * Kafka clients made on a worker thread: their constructors block (class loading, DNS look-ups of
 * the bootstrap servers, a security provider's set-up), which must not happen on an event loop.
 * The configuration maps come from {@link dev.stevedore.common.kafka.KafkaOptions}.
 */
public final class KafkaClients {
  private KafkaClients() {}

  public static Future<KafkaProducer<String, byte[]>> producer(Vertx vertx, Map<String, String> config) {
    return vertx.executeBlocking(() -> KafkaProducer.create(vertx, config), false);
  }

  public static Future<KafkaConsumer<String, byte[]>> consumer(Vertx vertx, Map<String, String> config) {
    return vertx.executeBlocking(() -> KafkaConsumer.create(vertx, config), false);
  }

  public static Future<KafkaAdminClient> admin(Vertx vertx, Map<String, String> config) {
    return vertx.executeBlocking(() -> KafkaAdminClient.create(vertx, config), false);
  }
}
