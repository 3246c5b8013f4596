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
}
