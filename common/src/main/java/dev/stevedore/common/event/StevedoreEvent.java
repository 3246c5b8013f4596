package dev.stevedore.common.event;

import java.time.Instant;

/**
 * Every event Stevedore puts on Kafka. Each type is an immutable record; the {@link EventCodec}
 * wraps it in a CloudEvents 1.0 JSON envelope whose {@code id}, {@code source} and {@code time}
 * are the record's own fields.
 */
public sealed interface StevedoreEvent
    permits DeployEvent, AgentHeartbeat, RolloutEvent, VersionBlocked {

  /** Unique id of this event (CloudEvents {@code id}); the audit store dedupes on it. */
  String id();

  /** Who produced the event (CloudEvents {@code source}), e.g. {@code stevedore://agent/web-1}. */
  String source();

  /** When the event happened (CloudEvents {@code time}). */
  Instant time();

  /** The event's type, which names its record class and its CloudEvents {@code type}. */
  EventType type();

  /** CloudEvents {@code subject}: the deployment id (the rollout id for rollout events and blocks), or the host id for heartbeats. */
  String subject();
}
