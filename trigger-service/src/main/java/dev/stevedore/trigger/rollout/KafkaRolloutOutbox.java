package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.TraceContext;
import dev.stevedore.common.event.RolloutEvent;
import dev.stevedore.common.event.RolloutState;
import dev.stevedore.common.event.VersionBlocked;
import dev.stevedore.common.kafka.EventPublisher;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.trigger.core.TriggerMetrics;
import io.vertx.core.Future;

/** The coordinator's writes, each to its topic under its key (see docs/events.md). */
public final class KafkaRolloutOutbox implements RolloutCoordinator.Outbox {
  private final EventPublisher publisher;
  private final TriggerMetrics metrics;

  public KafkaRolloutOutbox(EventPublisher publisher, TriggerMetrics metrics) {
    this.publisher = publisher;
    this.metrics = metrics;
  }

  @Override
  public Future<Void> record(RolloutState signed) {
    return publisher.publish(Topics.ROLLOUT_STATE, signed.partitionKey(), signed)
        .onSuccess(m -> metrics.rolloutRecorded(signed.phase())).mapEmpty();
  }

  @Override
  public Future<Void> request(DeployRequested signed) {
    return request(signed, java.util.Optional.empty());
  }

  @Override
  public Future<Void> request(DeployRequested signed, java.util.Optional<TraceContext> trace) {
    return publisher.publish(Topics.REQUESTS, signed.partitionKey(), signed, TraceContext.extensions(trace)).mapEmpty();
  }

  @Override
  public Future<Void> announce(RolloutEvent signed) {
    return publisher.publish(Topics.ROLLOUT_EVENTS, signed.partitionKey(), signed).mapEmpty();
  }

  @Override
  public Future<Void> block(VersionBlocked signed) {
    return publisher.publish(Topics.FLEET_BLOCKLIST, signed.blocklistKey(), signed).mapEmpty();
  }
}
