package dev.stevedore.trigger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.stevedore.common.event.DeployRequested;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Stops the broker while webhooks flow: 503 with Retry-After while it is down (fast once the
 * circuit is open, never past the bound), readiness down, recovery after it is back, and every
 * request that got a 202 is on the topic.
 */
class KafkaOutageIT {
  @TempDir static Path dir;
  static KafkaContainer kafka;
  static TestTrigger trigger;

  record Answer(String phase, int status, long millis, String deploymentId, String retryAfter) {}

  @BeforeAll
  static void start() throws Exception {
    int hostPort;
    try (ServerSocket s = new ServerSocket(0)) {
      hostPort = s.getLocalPort();
    }
    // A fixed host port, so that the broker keeps its advertised address across a stop and start.
    kafka = TestKafka.newContainer().withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
        .withDns("127.0.0.1")
        .withPortBindings(new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", hostPort), new ExposedPort(9092))));
    kafka.start();
    trigger = TestTrigger.start(TestTrigger.config(kafka.getBootstrapServers(), dir));
  }

  @AfterAll
  static void stop() throws Exception {
    if (trigger != null) {
      trigger.close();
    }
    if (kafka != null) {
      kafka.stop();
    }
  }

  @Test
  void brokerDownMeans503FastAndRecoveryLosesNothing() throws Exception {
    ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    AtomicReference<String> phase = new AtomicReference<>("up");
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> senders = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread sender = new Thread(() -> {
        while (running.get()) {
          String p = phase.get();
          long start = System.nanoTime();
          try {
            HttpResponse<String> r = trigger.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN,
                "{\"service\":\"outage-svc\",\"environment\":\"staging\",\"version\":\"v1\"}",
                Map.of("X-Stevedore-Delivery", UUID.randomUUID().toString()));
            String id = r.statusCode() == 202 ? new JsonObject(r.body()).getString("deploymentId") : null;
            answers.add(new Answer(p, r.statusCode(), (System.nanoTime() - start) / 1_000_000, id,
                r.headers().firstValue("Retry-After").orElse(null)));
            Thread.sleep(25);
          } catch (Exception e) {
            answers.add(new Answer(p, -1, (System.nanoTime() - start) / 1_000_000, null, e.toString()));
          }
        }
      }, "outage-sender-" + t);
      sender.start();
      senders.add(sender);
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> answers.stream().filter(a -> a.status() == 202).count() >= 20);
    String containerId = kafka.getContainerId();
    phase.set("down");
    DockerClientFactory.instance().client().stopContainerCmd(containerId).withTimeout(10).exec();

    // While the broker is down the breaker opens: fast 503s with Retry-After, readiness down.
    await().atMost(Duration.ofSeconds(30)).until(() -> answers.stream()
        .filter(a -> a.phase().equals("down") && a.status() == 503 && a.millis() < 200).count() >= 10);
    assertThat(trigger.getOps("/health/ready").statusCode()).isEqualTo(503);
    assertThat(trigger.getOps("/metrics").body()).contains("resilience4j_circuitbreaker_state{name=\"kafka\",state=\"open\"} 1.0");

    phase.set("restarting");
    DockerClientFactory.instance().client().startContainerCmd(containerId).exec();
    await().atMost(Duration.ofSeconds(60)).until(() -> answers.stream()
        .filter(a -> a.phase().equals("recovered") && a.status() == 202).count() >= 20
        || (phaseRecovered(answers, phase)));
    running.set(false);
    for (Thread sender : senders) {
      sender.join(30_000);
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> trigger.getOps("/health/ready").statusCode() == 200);

    List<Answer> all = new ArrayList<>(answers);
    assertThat(all).allSatisfy(a -> assertThat(a.status()).as(a.toString()).isIn(202, 503));
    // No request hangs: the bound is the publish timeout (4 s) plus scheduling slack.
    assertThat(all).allSatisfy(a -> assertThat(a.millis()).as(a.toString()).isLessThan(6_000));
    assertThat(all.stream().filter(a -> a.status() == 503)).isNotEmpty()
        .allSatisfy(a -> assertThat(a.retryAfter()).matches("[1-9][0-9]*"));
    assertThat(all.stream().filter(a -> a.phase().equals("recovered") && a.status() == 202).count()).isGreaterThanOrEqualTo(20);

    Set<String> acknowledged = all.stream().filter(a -> a.status() == 202).map(Answer::deploymentId)
        .collect(Collectors.toSet());
    Set<String> onTopic = RequestsTopic.requests(kafka.getBootstrapServers()).stream()
        .map(DeployRequested::deploymentId).collect(Collectors.toSet());
    assertThat(onTopic).containsAll(acknowledged);
  }

  /** Marks the phase recovered once the first 202 after the restart arrives. */
  private static boolean phaseRecovered(ConcurrentLinkedQueue<Answer> answers, AtomicReference<String> phase) {
    if (phase.get().equals("restarting") && answers.stream()
        .anyMatch(a -> a.phase().equals("restarting") && a.status() == 202)) {
      phase.set("recovered");
    }
    return false;
  }
}
