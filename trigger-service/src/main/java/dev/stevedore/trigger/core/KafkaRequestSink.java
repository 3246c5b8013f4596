package dev.stevedore.trigger.core;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.TraceContext;
import dev.stevedore.common.kafka.EventPublisher;
import dev.stevedore.common.kafka.Topics;
import io.vertx.core.Future;
import java.util.function.Consumer;

/** Publishes to {@code stevedore.deploy.requests} keyed {@code environment/service}. */
public final class KafkaRequestSink implements RequestSink {
  private final EventPublisher publisher;
  private final Consumer<DeployRequested> published;

  public KafkaRequestSink(EventPublisher publisher) {
    this(publisher, r -> { });
  }

  /** @param published told every request before it is sent (the history's {@code SignedHere}) */
  public KafkaRequestSink(EventPublisher publisher, Consumer<DeployRequested> published) {
    this.publisher = publisher;
    this.published = published;
  }

  /** The trace context goes on the record as extension attributes, outside what is signed (see docs/events.md). */
  @Override
  public Future<Void> publish(DeployRequested request, PublishOptions options) {
    published.accept(request);
    return publisher.publish(Topics.REQUESTS, request.partitionKey(), request, TraceContext.extensions(options.trace()))
        .mapEmpty();
  }
}
