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

  /**
   * Closes {@code consumer}, waiting for it at most {@code wait}. A fetch the broker holds (up to the
   * consumer's {@code fetch.max.wait.ms}, 5 s for an agent) holds the close too: the broker answers
   * one request per connection at a time, and the close's own requests queue behind it. Past
   * {@code wait} the returned future completes and the close goes on on the consumer's thread;
   * nothing depends on it (offsets are committed as records finish, not at close).
   */
  public static Future<Void> close(Vertx vertx, KafkaConsumer<?, ?> consumer, java.time.Duration wait, String name) {
    io.vertx.core.Promise<Void> stopped = io.vertx.core.Promise.promise();
    long timer = vertx.setTimer(Math.max(1, wait.toMillis()), id -> {
      if (stopped.tryComplete()) {
        LOG.debug("{}: not closed within {} ms (a held fetch); the close goes on in the background", name, wait.toMillis());
      }
    });
    consumer.close().onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        LOG.warn("{}: close failed: {}", name, ar.cause().toString());
      }
      stopped.tryComplete();
    });
    return stopped.future();
  }

  public static Future<KafkaAdminClient> admin(Vertx vertx, Map<String, String> config) {
    return vertx.executeBlocking(() -> KafkaAdminClient.create(vertx, config), false);
  }
}
