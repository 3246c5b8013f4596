package dev.stevedore.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class PartitionOwnershipTest {

  @Test
  void settingsDefaultToAQuickTakeoverAndRefuseNonsense() {
    PartitionOwnership.Settings s = new PartitionOwnership.Settings("t", "g");
    assertThat(s.sessionTimeoutMs()).isEqualTo(6_000);
    assertThat(s.heartbeatIntervalMs()).isEqualTo(1_000);
    assertThat(s.maxRecordBytes()).isEqualTo(1024 * 1024);
    assertThat(new PartitionOwnership.Settings("t", "g", 30_000, 0, 0).heartbeatIntervalMs()).isEqualTo(1_000);
    assertThat(new PartitionOwnership.Settings("t", "g", 1_500, 0, 0).heartbeatIntervalMs()).isEqualTo(500);
    assertThatThrownBy(() -> new PartitionOwnership.Settings(" ", "g")).hasMessageContaining("topic");
    assertThatThrownBy(() -> new PartitionOwnership.Settings("t", null)).hasMessageContaining("groupId");
    assertThatThrownBy(() -> new PartitionOwnership.Settings("t", "g", 6_000, 3_000, 0))
        .hasMessageContaining("at most a third");
  }

  @Test
  void keysMapToThePartitionsTheProducerWritesThemTo() {
    for (int partitions : new int[] {1, 3, 7, 12}) {
      for (String key : new String[] {"a", "sched-1", "production/web", "ü-ñ", ""}) {
        assertThat(PartitionOwnership.partitionFor(key, partitions))
            .isEqualTo(BuiltInPartitioner.partitionForKey(key.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                partitions));
      }
    }
  }

  @Test
  void theMemberUsesTheClassicProtocolWithTheConfiguredSessionAndNeverCommits() {
    KafkaSettings kafka = new KafkaSettings("127.0.0.1:9", "svc", 0, 0, 0, Map.of("security.protocol", "PLAINTEXT"));
    PartitionOwnership.Settings s = new PartitionOwnership.Settings("t", "g", 9_000, 2_000, 0);
    Map<String, Object> member = PartitionOwnership.memberConfig(kafka, s);
    assertThat(member).containsEntry("group.id", "g").containsEntry("group.protocol", "classic")
        .containsEntry("session.timeout.ms", "9000").containsEntry("heartbeat.interval.ms", "2000")
        .containsEntry("enable.auto.commit", "false").containsEntry("security.protocol", "PLAINTEXT")
        .containsEntry("partition.assignment.strategy",
            "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    Map<String, Object> reader = PartitionOwnership.readerConfig(kafka, s);
    assertThat(reader).doesNotContainKey("group.id").containsEntry("auto.offset.reset", "earliest")
        .containsEntry("isolation.level", "read_committed").containsEntry("max.partition.fetch.bytes", "1048576");
  }
}
