package dev.stevedore.agent.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.agent.deploy.DeployEvents;
import dev.stevedore.agent.deploy.DeployJob;
import dev.stevedore.agent.state.AgentState;
import dev.stevedore.agent.state.StateStore;
import dev.stevedore.common.event.AgentEvent;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.kafka.Topics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox relay with a fake publisher (Kafka itself is in OutboxDurabilityIT), a real state
 * file and real Vert.x timers: the stored bytes go out as they are, in order, one at a time; an
 * event leaves the outbox only once acknowledged; a failed send is retried after the pause.
 */
class OutboxRelayTest {
  /** One call of the fake publisher; the test decides when and how it completes. */
  record Sent(String topic, String key, byte[] bytes, Promise<Void> ack) {
    String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();
  private final EventCodec codec = new EventCodec();
  private final DeployEvents events = new DeployEvents("h1", Clock.systemUTC());
  private final List<Sent> sent = new CopyOnWriteArrayList<>();
  /** Answer each send at once: true acknowledges, false fails, null leaves it to the test. */
  private volatile Boolean autoAck = true;
  private Path dir;
  private StateStore store;
  private OutboxRelay relay;

  @BeforeEach
  void open(@TempDir Path dir) throws Exception {
    this.dir = dir;
    store = StateStore.open(vertx, dir, vertx.createSharedWorkerExecutor("relay-test", 1))
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    relay = new OutboxRelay(vertx, store, (topic, key, bytes) -> {
      Promise<Void> ack = Promise.promise();
      sent.add(new Sent(topic, key, bytes, ack));
      Boolean answer = autoAck;
      if (answer != null) {
        if (answer) {
          ack.complete();
        } else {
          ack.fail("broker unreachable");
        }
      }
      return ack.future();
    }, codec, Duration.ofMillis(100), UnaryOperator.identity());
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Runs {@code action} on the relay's context and waits for it. */
  private void on(Runnable action) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        action.run();
        done.complete(null);
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    done.get(5, TimeUnit.SECONDS);
  }

  private AgentEvent started(String deploymentId) {
    return events.started(new DeployJob(deploymentId, "demo", "prod", "v2", Instant.now(), "api", "stevedore://agent/h1"),
        "v1", "default");
  }

  private int outboxSize() throws Exception {
    int[] size = new int[1];
    on(() -> size[0] = relay.pending());
    return size[0];
  }

  @Test
  void publishesTheStoredBytesAsTheyAreOnTheEventsTopicKeyedByDeployment() throws Exception {
    AgentEvent event = started("d1");
    on(() -> relay.emit(event));
    String stored = store.state().outbox.get(0).payload;
    // An entry written by an older agent, with its own spacing: it must not be re-encoded.
    String odd = "{ \"specversion\" : \"1.0\",  \"id\":\"e-old\", \"data\": {\"note\": \"caf\u00e9 \\u00e9\"} }";
    on(() -> {
      store.state().outbox.add(new AgentState.OutboxEntry("e-old", Topics.EVENTS, "d0", odd));
      relay.saved();
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 2);
    assertThat(sent.get(0).topic()).isEqualTo(Topics.EVENTS);
    assertThat(sent.get(0).key()).isEqualTo("d1");
    assertThat(sent.get(0).bytes()).isEqualTo(stored.getBytes(StandardCharsets.UTF_8)).isEqualTo(codec.encode(event));
    assertThat(sent.get(1).bytes()).isEqualTo(odd.getBytes(StandardCharsets.UTF_8));
    await().atMost(Duration.ofSeconds(5)).until(() -> outboxSize() == 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> StateStore.read(dir).outbox.isEmpty());
  }

  @Test
  void sendsInOrderOneAtATimeAndRemovesAnEventOnlyWhenAcknowledged() throws Exception {
    autoAck = null;
    on(() -> {
      for (int i = 1; i <= 5; i++) {
        relay.emit(started("d" + i));
      }
      relay.saved();
    });
    for (int i = 1; i <= 5; i++) {
      int n = i;
      await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == n);
      // the next one waits for this acknowledgement
      await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> sent.size() == n);
      assertThat(sent.get(n - 1).key()).isEqualTo("d" + n);
      assertThat(outboxSize()).as("still in the outbox until acknowledged").isEqualTo(6 - n);
      on(() -> sent.get(n - 1).ack().complete());
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> outboxSize() == 0);
    assertThat(sent).extracting(Sent::key).containsExactly("d1", "d2", "d3", "d4", "d5");
  }

  @Test
  void aFailedSendKeepsTheEventAndIsRetriedAfterThePause() throws Exception {
    autoAck = false;
    on(() -> {
      relay.emit(started("d1"));
      relay.emit(started("d2"));
      relay.saved();
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() >= 3);
    assertThat(sent).extracting(Sent::key).as("the head is retried, the next one waits").containsOnly("d1");
    assertThat(outboxSize()).isEqualTo(2);
    autoAck = true;
    await().atMost(Duration.ofSeconds(5)).until(() -> outboxSize() == 0);
    List<String> keys = sent.stream().map(Sent::key).toList();
    assertThat(keys.subList(keys.size() - 2, keys.size())).containsExactly("d1", "d2");
    assertThat(sent.stream().map(Sent::text).distinct().count()).as("the same bytes each try").isEqualTo(2);
    await().atMost(Duration.ofSeconds(5)).until(() -> StateStore.read(dir).outbox.isEmpty());
  }

  @Test
  void retriesArePacedByTheConfiguredPause() throws Exception {
    autoAck = false;
    long start = System.nanoTime();
    on(() -> {
      relay.emit(started("d1"));
      relay.saved();
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() >= 4);
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(ms).as("three pauses of 100 ms between four tries").isGreaterThanOrEqualTo(300);
  }

  @Test
  void nothingIsSentWhileHeldAndWhatWaitedGoesOnRelease() throws Exception {
    on(() -> {
      relay.hold();
      relay.emit(started("d1"));
      relay.saved();
    });
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(sent::isEmpty);
    on(relay::release);
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> outboxSize() == 0);
  }

  @Test
  void stopEndsTheRetriesAndKeepsTheEvents() throws Exception {
    autoAck = false;
    on(() -> {
      relay.emit(started("d1"));
      relay.saved();
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() >= 2);
    on(relay::stop);
    int after = sent.size();
    await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> sent.size() == after);
    assertThat(outboxSize()).isEqualTo(1);
  }

  @Test
  void anEventEmittedTwiceIsQueuedOnce() throws Exception {
    autoAck = null;
    AgentEvent event = started("d1");
    on(() -> {
      relay.emit(event);
      relay.emit(event);
    });
    assertThat(outboxSize()).isEqualTo(1);
  }
}
