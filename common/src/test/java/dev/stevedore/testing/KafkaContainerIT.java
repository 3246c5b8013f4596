package dev.stevedore.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Proves the locally built Kafka image works with Testcontainers' KafkaContainer. */
class KafkaContainerIT {

  @Test
  void producesAndConsumesOneRecord() {
    KafkaTestSupport kafka = KafkaTestSupport.shared();
    String topic = "it-smoke-" + UUID.randomUUID();
    kafka.createTopics(topic);

    kafka.send(topic, "prod/web", "{\"hello\":\"kafka\"}");

    List<ConsumerRecord<String, String>> all = kafka.readAll(topic, Duration.ofSeconds(30));
    assertThat(all).hasSize(1);
    assertThat(all.get(0).key()).isEqualTo("prod/web");
    assertThat(all.get(0).value()).isEqualTo("{\"hello\":\"kafka\"}");

    // And through a consumer group, as the services consume.
    try (KafkaConsumer<String, String> consumer = kafka.newConsumer("it-smoke-group")) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int seen = 0;
      while (seen == 0 && System.nanoTime() < deadline) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        seen += records.count();
      }
      assertThat(seen).isEqualTo(1);
      consumer.commitSync();
    }
  }

  @Test
  void brokerWithFixedPortComesBackAfterARestart() throws Exception {
    try (KafkaTestSupport kafka = KafkaTestSupport.startWithFixedPort();
         KafkaProducer<String, String> producer = kafka.newProducer()) {
      String topic = "it-restart-" + UUID.randomUUID();
      kafka.createTopics(topic);
      String before = kafka.bootstrapServers();
      producer.send(new ProducerRecord<>(topic, "k", "before")).get(30, TimeUnit.SECONDS);

      kafka.stopBroker();
      kafka.startBroker();

      // The same producer reconnects to the same address.
      producer.send(new ProducerRecord<>(topic, "k", "after")).get(60, TimeUnit.SECONDS);
      assertThat(kafka.bootstrapServers()).isEqualTo(before);
      assertThat(kafka.readAll(topic, Duration.ofSeconds(30)))
          .extracting(ConsumerRecord::value)
          .containsExactly("before", "after");
    }
  }
}
