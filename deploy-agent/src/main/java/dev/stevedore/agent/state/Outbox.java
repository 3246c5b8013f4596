package dev.stevedore.agent.state;

import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.StevedoreEvent;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/**
 * Appends events to the durable outbox in {@link AgentState}: they reach disk with the next
 * {@link StateStore#save()} and Kafka when the relay gets to them. An event already queued (same
 * id) is not queued twice.
 */
public final class Outbox {
  private final AgentState state;
  private final EventCodec codec;
  private final UnaryOperator<StevedoreEvent> sign;

  public Outbox(AgentState state, EventCodec codec) {
    this(state, codec, UnaryOperator.identity());
  }

  /** @param sign signs each event before it is encoded (the agent's own key): the outbox holds signed bytes */
  public Outbox(AgentState state, EventCodec codec, UnaryOperator<StevedoreEvent> sign) {
    this.state = state;
    this.codec = codec;
    this.sign = sign;
  }

  public void add(String topic, String key, StevedoreEvent event) {
    add(topic, key, event, java.util.Map.of());
  }

  /**
   * With CloudEvents extension attributes (the request's trace context), encoded into the outbox
   * with the event: an event published after a restart carries them as well.
   */
  public void add(String topic, String key, StevedoreEvent event, java.util.Map<String, ?> extensions) {
    for (AgentState.OutboxEntry e : state.outbox) {
      if (e.eventId.equals(event.id())) {
        return;
      }
    }
    state.outbox.add(new AgentState.OutboxEntry(event.id(), topic, key,
        new String(codec.encode(sign.apply(event), extensions), StandardCharsets.UTF_8)));
  }
}
