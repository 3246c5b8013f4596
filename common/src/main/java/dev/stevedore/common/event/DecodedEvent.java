package dev.stevedore.common.event;

import java.util.Map;

/**
 * A decoded event with what its envelope carried beside it.
 *
 * @param event the record
 * @param extensions the CloudEvents extension attributes (e.g. {@code traceparent}), in the order
 *     read; empty when there were none. Pass them to {@link EventCodec#encode(StevedoreEvent, Map)}
 *     to carry them on.
 * @param unknownFields {@code true} when {@code data} held fields this version does not know (a
 *     newer writer's additions): the record leaves them out, signatures are still checked over them
 */
public record DecodedEvent(StevedoreEvent event, Map<String, Object> extensions, boolean unknownFields) {
  public DecodedEvent {
    extensions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(extensions));
  }
}
