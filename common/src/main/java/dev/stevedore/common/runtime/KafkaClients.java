package dev.stevedore.common.runtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.producer.KafkaProducer;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka clients made on a worker thread: their constructors block (class loading, DNS look-ups of
 * the bootstrap servers, a security provider's set-up), which must not happen on an event loop.
 * The configuration maps come from {@link dev.stevedore.common.kafka.KafkaOptions}.
 */
public final class KafkaClients {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaClients.class);

  private KafkaClients() {}

  /**
   * A producer whose failed sends are reported only through the futures {@code send} returns:
   * without an exception handler the Vert.x producer also hands every failed send to its context
   * as an "Unhandled exception" at ERROR (seen 74 times in one broker failover of ClusterFaultIT),
   * though the caller handles the failure.
   */
  public static Future<KafkaProducer<String, byte[]>> producer(Vertx vertx, Map<String, String> config) {
    return vertx.executeBlocking(() -> KafkaProducer.<String, byte[]>create(vertx, config)
        .exceptionHandler(e -> LOG.debug("Kafka send failed (reported to its caller): {}", e.toString())), false);
  }

  public static Future<KafkaConsumer<String, byte[]>> consumer(Vertx vertx, Map<String, String> config) {
    return vertx.executeBlocking(() -> KafkaConsumer.create(vertx, config), false);
  }

  public static Future<KafkaAdminClient> admin(Vertx vertx, Map<String, String> config) {
    return vertx.executeBlocking(() -> KafkaAdminClient.create(vertx, config), false);
  }
}
