package dev.stevedore.trigger.core;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.kafka.EventPublisher;
import dev.stevedore.common.kafka.Topics;
import io.vertx.core.Future;

/** Publishes to {@code stevedore.deploy.requests} keyed {@code environment/service}. */
public final class KafkaRequestSink implements RequestSink {
  private final EventPublisher publisher;

  public KafkaRequestSink(EventPublisher publisher) {
    this.publisher = publisher;
  }

  @Override
  public Future<Void> publish(DeployRequested request) {
    return publisher.publish(Topics.REQUESTS, request.partitionKey(), request).mapEmpty();
  }
}
