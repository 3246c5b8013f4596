package dev.stevedore.agent.kafka;

import dev.stevedore.agent.deploy.EventSink;
import dev.stevedore.agent.state.AgentState.OutboxEntry;
import dev.stevedore.agent.state.Outbox;
import dev.stevedore.agent.state.StateStore;
import dev.stevedore.common.event.AgentEvent;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.kafka.EventPublisher;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.resilience.VertxCircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the durable outbox to Kafka in order, one event at a time, through the publisher's
 * circuit breaker. An event leaves the outbox only after Kafka acknowledged it; while Kafka is
 * unreachable the events stay on disk and the relay tries again after a pause. A crash between the
 * acknowledgement and the next state write sends an event twice, with the same id (the audit
 * service dedupes on it).
 */
public final class OutboxRelay implements EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

  /** Where the relay sends the encoded events: {@link EventPublisher#publishEncodedEvent} (a fake in unit tests). */
  @FunctionalInterface
  public interface Publisher {
    /** Completes once Kafka acknowledged {@code encoded}, sent as it is; fails otherwise. */
    Future<?> publishEncoded(String topic, String key, byte[] encoded);
  }

  private final Vertx vertx;
  private final StateStore store;
  private final Publisher publisher;
  private final Outbox outbox;
  private final Duration retry;
  private boolean sending;
  private boolean stopped;
  private long retryTimer = -1;
  private int sentSinceSave;
  private boolean failing;
  private int holds;

  /** @param sign the agent's signer, applied before an event is encoded into the outbox */
  public OutboxRelay(Vertx vertx, StateStore store, Publisher publisher, EventCodec codec, Duration retry,
      UnaryOperator<StevedoreEvent> sign) {
    this.vertx = vertx;
    this.store = store;
    this.publisher = publisher;
    this.outbox = new Outbox(store.state(), codec, sign);
    this.retry = retry;
  }

  /** Queues an agent event on the events topic, keyed by its deployment id. */
  @Override
  public void emit(AgentEvent event, java.util.Map<String, String> extensions) {
    outbox.add(Topics.EVENTS, event.deploymentId(), event, extensions);
  }

  @Override
  public void saved() {
    kick();
  }

  /** Starts sending if there is anything to send and nothing is being sent. */
  public void kick() {
    if (sending || stopped || retryTimer >= 0 || holds > 0) {
      return;
    }
    sendNext();
  }

  /**
   * Defers sending (the events stay in the durable outbox) while a service is being switched: on
   * a small host, waking the producer, the broker and every consumer at that moment competes with
   * the container swap for CPU and lengthens the gap. {@link #release()} sends what waited.
   */
  @Override
  public void hold() {
    holds++;
  }

  @Override
  public void release() {
    holds = Math.max(0, holds - 1);
    kick();
  }

  public int pending() {
    return store.state().outbox.size();
  }

  public void stop() {
    stopped = true;
    if (retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
    }
  }

  private void sendNext() {
    if (stopped) {
      return;
    }
    if (holds > 0) {
      sending = false;
      return;
    }
    if (store.state().outbox.isEmpty()) {
      sending = false;
      if (sentSinceSave > 0) {
        sentSinceSave = 0;
        store.save();
      }
      return;
    }
    sending = true;
    OutboxEntry entry = store.state().outbox.get(0);
    // The outbox holds the encoded event: it is published as it is, byte for byte.
    publisher.publishEncoded(entry.topic, entry.key, entry.payload.getBytes(StandardCharsets.UTF_8)).onComplete(ar -> {
      if (ar.succeeded()) {
        if (failing) {
          LOG.info("Kafka accepts events again; {} waiting in the outbox", store.state().outbox.size());
          failing = false;
        }
        if (!store.state().outbox.isEmpty() && store.state().outbox.get(0).eventId.equals(entry.eventId)) {
          store.state().outbox.remove(0);
        }
        sentSinceSave++;
        sendNext();
      } else {
        sending = false;
        if (!failing) {
          LOG.warn("cannot publish to Kafka ({}{}); {} event(s) kept in the outbox, retrying every {} ms",
              VertxCircuitBreaker.isOpen(ar.cause()) ? "circuit open: " : "", ar.cause().getMessage(),
              store.state().outbox.size(), retry.toMillis());
          failing = true;
        }
        if (sentSinceSave > 0) {
          sentSinceSave = 0;
          store.save();
        }
        retryTimer = vertx.setTimer(retry.toMillis(), id -> {
          retryTimer = -1;
          kick();
        });
      }
    });
  }
}
