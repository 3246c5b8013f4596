package dev.stevedore.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aFailedSendIsReportedToItsCallerOnlyNotAsAnUnhandledExceptionOfTheContext() throws Exception {
    List<Throwable> unhandled = new CopyOnWriteArrayList<>();
    vertx.exceptionHandler(unhandled::add);
    // Nothing listens on port 1 of loopback: the send fails once max.block.ms has passed.
    KafkaProducer<String, byte[]> producer = KafkaClients.producer(vertx, Map.of(
            "bootstrap.servers", "127.0.0.1:1", "max.block.ms", "300", "request.timeout.ms", "300",
            "delivery.timeout.ms", "400", "linger.ms", "0", "reconnect.backoff.max.ms", "100",
            "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
            "value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer"))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      Throwable failure = vertx.getOrCreateContext().<Throwable>executeBlocking(() -> null)
          .compose(v -> producer.send(KafkaProducerRecord.create("t", "k", new byte[] {1})))
          .<Throwable>map(m -> null).otherwise(e -> e)
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(failure).as("the send's own future fails").isNotNull();
      // the context's report would run on it after the future's failure: give it a moment
      Thread.sleep(300);
      assertThat(unhandled).isEmpty();
    } finally {
      producer.close(1_000).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
