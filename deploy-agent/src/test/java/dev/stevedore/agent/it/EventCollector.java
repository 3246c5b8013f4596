package dev.stevedore.agent.it;

import dev.stevedore.common.event.AgentEvent;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.testing.KafkaTestSupport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.awaitility.Awaitility;

/** Reads a topic from the beginning on a background thread and keeps every record. */
public final class EventCollector implements AutoCloseable {
  private final List<ConsumerRecord<String, String>> records = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;
  private final EventCodec codec = new EventCodec();

  public EventCollector(KafkaTestSupport kafka, String topic) {
    thread = new Thread(() -> {
      try (KafkaConsumer<String, String> consumer = kafka.newConsumer("it-collector-" + UUID.randomUUID())) {
        consumer.subscribe(List.of(topic));
        while (running) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
            synchronized (records) {
              records.add(r);
            }
          }
        }
      }
    }, "event-collector-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  public List<ConsumerRecord<String, String>> records() {
    synchronized (records) {
      return List.copyOf(records);
    }
  }

  public List<StevedoreEvent> events() {
    List<StevedoreEvent> out = new ArrayList<>();
    for (ConsumerRecord<String, String> r : records()) {
      try {
        out.add(codec.decode(r.value().getBytes(StandardCharsets.UTF_8)));
      } catch (Exception e) {
        throw new IllegalStateException("undecodable record on the topic: " + r.value(), e);
      }
    }
    return out;
  }

  /** Every agent event of one deployment, in topic order. */
  public List<AgentEvent> of(String deploymentId) {
    return events().stream().filter(e -> e instanceof AgentEvent a && a.deploymentId().equals(deploymentId))
        .map(e -> (AgentEvent) e).toList();
  }

  public List<Outcome> outcomes(String deploymentId) {
    return of(deploymentId).stream().filter(e -> e instanceof Outcome).map(e -> (Outcome) e).toList();
  }

  public Outcome awaitOutcome(String deploymentId, Duration timeout) {
    Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> !outcomes(deploymentId).isEmpty());
    return outcomes(deploymentId).get(0);
  }

  public void await(Predicate<List<ConsumerRecord<String, String>>> condition, Duration timeout) {
    Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> condition.test(records()));
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
