package dev.stevedore.agent.deploy;

import dev.stevedore.common.event.AgentEvent;

/**
 * Where the cycle's events go: into the durable outbox, on disk with the next state save, then to
 * Kafka. The cycle knows nothing of Kafka.
 */
public interface EventSink {
  /** Queues an event; it reaches disk with the next state save. */
  default void emit(AgentEvent event) {
    emit(event, java.util.Map.of());
  }

  /**
   * Queues an event with CloudEvents extension attributes: the {@code traceparent}/{@code tracestate}
   * of the request it answers ({@link DeployJob#extensions()}), nothing else.
   */
  void emit(AgentEvent event, java.util.Map<String, String> extensions);

  /** The state (and with it every queued event) reached disk: publishing may go on. */
  void saved();

  /** A service is being switched: defer publishing until {@link #release()} (it competes for CPU). */
  void hold();

  void release();

  /** Events into the durable outbox only, nothing published (the one-shot agent without Kafka, tests). */
  static EventSink into(dev.stevedore.agent.state.Outbox outbox) {
    return new EventSink() {
      @Override
      public void emit(AgentEvent event, java.util.Map<String, String> extensions) {
        outbox.add(dev.stevedore.common.kafka.Topics.EVENTS, event.deploymentId(), event, extensions);
      }

      @Override
      public void saved() {}

      @Override
      public void hold() {}

      @Override
      public void release() {}
    };
  }
}
