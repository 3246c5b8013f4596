package dev.stevedore.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.RequestPolicy;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How an agent reads the requests topic, seen from the broker: with {@code requests.subscription:
 * assign} (the default) the group {@code stevedore-agent-<host>} holds the agent's offsets and no
 * member, before and after a restart, and the offsets reach the end of the topic (requests for
 * other hosts are read and ignored, the agent's own is taken); with {@code group} the agent is
 * the group's one static member.
 */
class RequestSubscriptionIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static KafkaTestSupport kafka;
  private static Admin admin;

  @BeforeAll
  static void start() {
    kafka = AgentFixture.kafka();
    admin = Admin.create(new HashMap<>(kafka.clientConfig()));
  }

  @AfterAll
  static void stop() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
  }

  @Test
  void assignCommitsToItsGroupWithoutJoiningItAndResumesAfterARestart(@TempDir Path dir) throws Exception {
    String host = AgentFixture.hostId();
    AgentConfig config = with(AgentFixture.config(kafka, host, dir.resolve("state"), Map.of()),
        RequestPolicy.Subscription.ASSIGN);
    Vertx vertx = Vertx.vertx();
    try {
      AgentFixture.send(kafka, AgentFixture.request("web", "v1", "someone-else"));
      RunningAgent agent = AgentFixture.start(vertx, config);
      AgentFixture.send(kafka, AgentFixture.request("web", "v2", host));
      await().atMost(WAIT).untilAsserted(() -> assertThat(committed(host)).isEqualTo(ends()));
      assertThat(members(host)).isEmpty();
      agent.stop().await(70, TimeUnit.SECONDS);

      // Requests that arrive while it is down are read after the restart, from the committed offsets.
      AgentFixture.send(kafka, AgentFixture.request("web", "v3", host));
      Map<Integer, Long> before = committed(host);
      agent = AgentFixture.start(vertx, config);
      await().atMost(WAIT).untilAsserted(() -> assertThat(committed(host)).isEqualTo(ends()).isNotEqualTo(before));
      assertThat(members(host)).isEmpty();
      agent.stop().await(70, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void groupMakesTheAgentTheGroupsOneStaticMember(@TempDir Path dir) throws Exception {
    String host = AgentFixture.hostId();
    AgentConfig config = AgentFixture.config(kafka, host, dir.resolve("state"), Map.of());
    assertThat(config.requests().subscription()).as("the default").isEqualTo(RequestPolicy.Subscription.GROUP);
    Vertx vertx = Vertx.vertx();
    try {
      RunningAgent agent = AgentFixture.start(vertx, config);
      await().atMost(WAIT).untilAsserted(() -> assertThat(members(host)).singleElement()
          .satisfies(m -> assertThat(m.groupInstanceId()).contains(host)));
      agent.stop().await(70, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aStopDoesNotWaitOutTheFetchesTheBrokerHolds(@TempDir Path dir) throws Exception {
    // With a long fetch wait the broker holds each consumer's fetch until a record arrives or the
    // wait ends; a consumer's close queues behind it. The agent's stop does not wait that long.
    // With the blocklist topic in place the agent reads it before it takes requests: a lookup of
    // its end sent after its consumer's first (held) fetch would wait out the fetch wait.
    kafka.createTopic(Topics.FLEET_BLOCKLIST, 1, Map.of("cleanup.policy", "compact"));
    String host = AgentFixture.hostId();
    AgentConfig base = AgentFixture.config(kafka, host, dir.resolve("state"), Map.of());
    KafkaSettings k = base.kafka();
    AgentConfig config = new AgentConfig(base.hostId(), base.environment(), base.labels(),
        new KafkaSettings(k.bootstrapServers(), k.clientId(), k.requestTimeoutMs(), k.deliveryTimeoutMs(), 25_000,
            k.properties()),
        base.trustedKeys(), base.stateDirectory(), base.composeCommand(), base.dockerCommand(), base.httpHost(),
        base.httpPort(), base.heartbeatInterval(), base.processedLimit(), base.resilience(), base.testHooks(),
        base.services(), base.requests());
    Vertx vertx = Vertx.vertx();
    try {
      long starting = System.nanoTime();
      RunningAgent agent = AgentFixture.start(vertx, config);
      Thread.sleep(3_000); // its consumer now waits in a fetch the broker holds for up to 25 s
      // A record that arrives meanwhile is delivered at once: the broker answers the held fetch ...
      long sent = System.nanoTime();
      AgentFixture.send(kafka, AgentFixture.request("web", "v1", host));
      await().atMost(WAIT).untilAsserted(() -> assertThat(committed(host)).isEqualTo(ends()));
      assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(10));
      assertThat(Duration.ofNanos(System.nanoTime() - starting)).as("start to the first request handled")
          .isLessThan(Duration.ofSeconds(15));
      Thread.sleep(500); // ... and afterwards both consumers wait in fetches the broker holds for 25 s
      long t0 = System.nanoTime();
      agent.stop().await(70, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("stop").isLessThan(Duration.ofSeconds(10));
    } finally {
      vertx.close().await(40, TimeUnit.SECONDS);
    }
  }

  private static List<MemberDescription> members(String host) throws Exception {
    String group = "stevedore-agent-" + host;
    ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
    return List.copyOf(d.members());
  }

  /** Committed offset per partition of the requests topic. */
  private static Map<Integer, Long> committed(String host) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("stevedore-agent-" + host)
        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(Topics.REQUESTS) && e.getValue() != null)
        .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
  }

  /** End offset of every partition of the requests topic that has records. */
  private static Map<Integer, Long> ends() throws Exception {
    List<TopicPartition> parts = admin.describeTopics(List.of(Topics.REQUESTS)).allTopicNames().get(10, TimeUnit.SECONDS)
        .get(Topics.REQUESTS).partitions().stream().map(p -> new TopicPartition(Topics.REQUESTS, p.partition())).toList();
    Map<TopicPartition, OffsetSpec> latest = parts.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
    return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet().stream()
        .filter(e -> e.getValue().offset() > 0)
        .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
  }

  private static AgentConfig with(AgentConfig base, RequestPolicy.Subscription subscription) {
    return new AgentConfig(base.hostId(), base.environment(), base.labels(), base.kafka(), base.trustedKeys(),
        base.stateDirectory(), base.composeCommand(), base.dockerCommand(), base.httpHost(), base.httpPort(),
        base.heartbeatInterval(), base.processedLimit(), base.resilience(), base.testHooks(), base.services(),
        new RequestPolicy(null, null, subscription));
  }
}
