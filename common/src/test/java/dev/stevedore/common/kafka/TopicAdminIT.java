package dev.stevedore.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every service creates Stevedore's topics at start; several services starting at the same moment
 * on a new broker all succeed, and the topics come out as specified. A broker of its own, since
 * the test deletes the topics between rounds.
 */
class TopicAdminIT {
  static final int CREATORS = 12;
  static KafkaTestSupport kafka;
  static List<Vertx> services = new ArrayList<>();

  @BeforeAll
  static void broker() {
    kafka = KafkaTestSupport.start();
    for (int i = 0; i < CREATORS; i++) {
      services.add(Vertx.vertx()); // one per service: their requests really run at the same time
    }
  }

  @AfterAll
  static void close() throws Exception {
    for (Vertx vertx : services) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    kafka.close();
  }

  @Test
  void concurrentCreatorsOfTheSameTopicsAllSucceed() throws Exception {
    KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), "topic-admin-it", 5000, 10000, 100, Map.of());
    AdminClient admin = kafka.admin();
    for (int round = 0; round < 30; round++) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Void>> creators = new ArrayList<>();
      for (Vertx service : services) {
        Promise<Void> done = Promise.promise();
        creators.add(done.future());
        new Thread(() -> {
          try {
            go.await();
            service.runOnContext(v -> TopicAdmin.ensureTopics(service, settings, 3, (short) 1).onComplete(done));
          } catch (InterruptedException e) {
            done.fail(e);
          }
        }, "creator").start();
      }
      go.countDown();
      // And a client of another kind (a broker's auto-creation, an operator's script) at once.
      admin.createTopics(List.of(new NewTopic(Topics.HEARTBEATS, 1, (short) 1)
          .configs(Map.of("cleanup.policy", "compact"))));
      for (Future<Void> creator : creators) {
        creator.await(60, TimeUnit.SECONDS); // throws the creator's failure
      }
      // The broker's metadata may lag the creation by a moment (UnknownTopicOrPartition).
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertTopicsAsSpecified(admin));

      admin.deleteTopics(Topics.ALL).all().get(30, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).until(() ->
          admin.listTopics().names().get(10, TimeUnit.SECONDS).stream().noneMatch(Topics.ALL::contains));
    }
  }

  @Test
  void topicsThatExistAlreadyAreSuccess() throws Exception {
    KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), "topic-admin-it", 5000, 10000, 100, Map.of());
    // auto: the cluster reports one broker, so one replica (min.insync.replicas 1)
    TopicAdmin.ensureTopics(services.get(0), settings, 3, TopicAdmin.AUTO_REPLICATION).await(60, TimeUnit.SECONDS);
    TopicAdmin.ensureTopics(services.get(1), settings, 3, (short) 1).await(60, TimeUnit.SECONDS);
    assertTopicsAsSpecified(kafka.admin());
    assertThat(kafka.admin().describeTopics(Topics.ALL).allTopicNames().get(30, TimeUnit.SECONDS).values())
        .allSatisfy(t -> assertThat(t.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(1)));
  }

  private static void assertTopicsAsSpecified(AdminClient admin) throws Exception {
    Map<String, TopicDescription> topics = admin.describeTopics(Topics.ALL).allTopicNames().get(30, TimeUnit.SECONDS);
    assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(Topics.ALL);
    assertThat(topics.get(Topics.REQUESTS).partitions()).hasSize(3);
    assertThat(topics.get(Topics.EVENTS).partitions()).hasSize(3);
    assertThat(topics.get(Topics.HEARTBEATS).partitions()).hasSize(1);
    assertThat(topics.get(Topics.SCHEDULES).partitions()).hasSize(3);
    ConfigResource heartbeats = new ConfigResource(ConfigResource.Type.TOPIC, Topics.HEARTBEATS);
    assertThat(admin.describeConfigs(List.of(heartbeats)).all().get(30, TimeUnit.SECONDS).get(heartbeats)
        .get("cleanup.policy").value()).isEqualTo("compact");
    ConfigResource schedules = new ConfigResource(ConfigResource.Type.TOPIC, Topics.SCHEDULES);
    var scheduleConfig = admin.describeConfigs(List.of(schedules)).all().get(30, TimeUnit.SECONDS).get(schedules);
    assertThat(scheduleConfig.get("cleanup.policy").value()).isEqualTo("compact");
    assertThat(scheduleConfig.get("min.compaction.lag.ms").value()).isEqualTo("86400000");
  }
}
