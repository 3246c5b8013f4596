package dev.stevedore.audit.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.audit.Events;
import dev.stevedore.common.kafka.Topics;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.impl.KafkaConsumerRecordImpl;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
  final Fakes.Sink sink = new Fakes.Sink();
  final IngestMetrics metrics = Fakes.metrics();
  final DeadLetters deadLetters = new DeadLetters(sink, metrics);
  final RecordDecoder decoder = new RecordDecoder(Events.CODEC);

  @Test
  void undecodableRecordsGoWithTheirRawBytesReasonAndOrigin() throws Exception {
    byte[] good = Events.CODEC.encode(Fakes.deployments("dead-letters", 1).get(0));
    byte[] bad = "not json".getBytes(StandardCharsets.UTF_8);
    List<KafkaConsumerRecord<String, byte[]>> records = List.of(record(7, "k-good", good), record(8, "k-bad", bad));

    deadLetters.undecodable(records, records.stream().map(r -> decoder.decode(r.value())).toList())
        .await(5, TimeUnit.SECONDS);

    assertThat(sink.letters).singleElement().satisfies(l -> {
      assertThat(l.key()).isEqualTo("k-bad");
      assertThat(l.value()).isEqualTo(bad);
      assertThat(l.reason()).contains("not JSON");
      assertThat(l.headers()).isEqualTo(Map.of(Topics.HEADER_ORIGINAL_TOPIC, Topics.EVENTS,
          Topics.HEADER_ORIGINAL_PARTITION, "2", Topics.HEADER_ORIGINAL_OFFSET, "8",
          Topics.HEADER_REJECTED_BY, "stevedore-audit"));
    });
    assertThat(metrics.deadLettered.count()).isEqualTo(1);
  }

  @Test
  void aRefusedEventGoesAsItsCanonicalBytesKeyedByItsId() throws Exception {
    var event = Events.stored(Fakes.deployments("dead-letters", 1).get(1));
    deadLetters.refused(event, new SQLException("value too long for type character varying(255)", "22001"))
        .await(5, TimeUnit.SECONDS);
    assertThat(sink.letters).singleElement().satisfies(l -> {
      assertThat(l.key()).isEqualTo(event.event().id());
      assertThat(l.value()).isEqualTo(event.canonical());
      assertThat(l.reason()).isEqualTo("storage rejected: value too long for type character varying(255)");
      assertThat(l.headers()).containsEntry(Topics.HEADER_REJECTED_BY, "stevedore-audit");
    });
  }

  static KafkaConsumerRecord<String, byte[]> record(long offset, String key, byte[] value) {
    return new KafkaConsumerRecordImpl<>(new ConsumerRecord<>(Topics.EVENTS, 2, offset, key, value));
  }
}
