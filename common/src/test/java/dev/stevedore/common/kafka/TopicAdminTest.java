package dev.stevedore.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.Test;

class TopicAdminTest {
  @Test
  void aTopicThatExistsIsRecognisedHoweverItIsWrapped() {
    TopicExistsException exists = new TopicExistsException("Topic 'stevedore.agent.heartbeats' already exists.");
    assertThat(TopicAdmin.alreadyExists(exists)).isTrue();
    assertThat(TopicAdmin.alreadyExists(new ExecutionException(exists))).isTrue();
    assertThat(TopicAdmin.alreadyExists(new CompletionException(new ExecutionException(exists)))).isTrue();
  }

  @Test
  void otherFailuresStayFailures() {
    assertThat(TopicAdmin.alreadyExists(new InvalidReplicationFactorException("replication factor: 3 larger than "
        + "available brokers: 1"))).isFalse();
    assertThat(TopicAdmin.alreadyExists(new ExecutionException(new org.apache.kafka.common.errors.TimeoutException(
        "timed out")))).isFalse();
    assertThat(TopicAdmin.alreadyExists(null)).isFalse();
  }

  @Test
  void autoReplicationIsOnePerBrokerUpToThreeAndAConfiguredFactorWins() {
    assertThat(TopicAdmin.replicationFor(TopicAdmin.AUTO_REPLICATION, 1)).isEqualTo((short) 1);
    assertThat(TopicAdmin.replicationFor(TopicAdmin.AUTO_REPLICATION, 2)).isEqualTo((short) 2);
    assertThat(TopicAdmin.replicationFor(TopicAdmin.AUTO_REPLICATION, 3)).isEqualTo((short) 3);
    assertThat(TopicAdmin.replicationFor(TopicAdmin.AUTO_REPLICATION, 9)).isEqualTo((short) 3);
    assertThat(TopicAdmin.replicationFor(TopicAdmin.AUTO_REPLICATION, 0)).as("no broker listed").isEqualTo((short) 1);
    assertThat(TopicAdmin.replicationFor((short) 1, 9)).isEqualTo((short) 1);
    assertThat(TopicAdmin.replicationFor((short) 5, 3)).as("configured: the broker refuses it, visibly").isEqualTo((short) 5);
  }

  @Test
  void everyTopicAsksForAllReplicasButOneFromThreeUpAndKeepsItsCleanupPolicy() {
    assertThat(TopicAdmin.minInsyncReplicas(1)).isEqualTo(1);
    assertThat(TopicAdmin.minInsyncReplicas(2)).isEqualTo(1);
    assertThat(TopicAdmin.minInsyncReplicas(3)).isEqualTo(2);
    assertThat(TopicAdmin.minInsyncReplicas(5)).isEqualTo(4);
    assertThat(TopicAdmin.topicConfig(Topics.REQUESTS, 3)).isEqualTo(java.util.Map.of("min.insync.replicas", "2"));
    assertThat(TopicAdmin.topicConfig(Topics.HEARTBEATS, 1))
        .isEqualTo(java.util.Map.of("min.insync.replicas", "1", "cleanup.policy", "compact"));
    assertThat(TopicAdmin.topicConfig(Topics.ROLLOUT_STATE, 3)).isEqualTo(java.util.Map.of("min.insync.replicas", "2",
        "cleanup.policy", "compact", "min.compaction.lag.ms", "60000"));
    assertThat(TopicAdmin.topicConfig(Topics.SCHEDULES, 3)).containsEntry("min.insync.replicas", "2")
        .containsAllEntriesOf(TopicAdmin.SCHEDULES_CONFIG);
  }
}
