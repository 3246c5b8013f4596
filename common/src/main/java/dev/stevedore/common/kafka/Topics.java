package dev.stevedore.common.kafka;

import java.util.List;

/** The topics Stevedore uses (docs/events.md and docs/operations.md describe them). */
public final class Topics {
  /** {@code deploy.requested}, {@code deploy.cancelled}; key {@code environment/service}. */
  public static final String REQUESTS = "stevedore.deploy.requests";
  /** Agents' outcome events; key deployment id. */
  public static final String EVENTS = "stevedore.deploy.events";
  /** {@code agent.heartbeat}, compacted; key host id. */
  public static final String HEARTBEATS = "stevedore.agent.heartbeats";
  /** Rollout events ({@code rollout.*} but {@code rollout.state}); key {@code environment/service}. */
  public static final String ROLLOUT_EVENTS = "stevedore.rollout.events";
  /** {@code rollout.state}, compacted; key {@code environment/service}: the coordinator's durable state. */
  public static final String ROLLOUT_STATE = "stevedore.rollout.state";
  /** {@code version.blocked} / {@code version.unblocked} (or a tombstone), compacted; key {@code environment/service/version}. */
  public static final String FLEET_BLOCKLIST = "stevedore.fleet.blocklist";
  /** Records that could not be decoded or verified, with the reason in headers. */
  public static final String DEAD_LETTERS = "stevedore.dead-letters";

  /** Dead-letter headers. */
  public static final String HEADER_REASON = "stevedore.dlq.reason";
  public static final String HEADER_ORIGINAL_TOPIC = "stevedore.dlq.topic";
  public static final String HEADER_ORIGINAL_PARTITION = "stevedore.dlq.partition";
  public static final String HEADER_ORIGINAL_OFFSET = "stevedore.dlq.offset";
  public static final String HEADER_REJECTED_BY = "stevedore.dlq.rejected-by";

  public static final List<String> ALL =
      List.of(REQUESTS, EVENTS, HEARTBEATS, DEAD_LETTERS, ROLLOUT_EVENTS, ROLLOUT_STATE, FLEET_BLOCKLIST);

  /** The compacted topics (latest record per key). */
  public static final List<String> COMPACTED = List.of(HEARTBEATS, ROLLOUT_STATE, FLEET_BLOCKLIST);

  private Topics() {}
}
