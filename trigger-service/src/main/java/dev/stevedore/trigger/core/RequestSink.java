package dev.stevedore.trigger.core;

import dev.stevedore.common.event.DeployRequested;
import io.vertx.core.Future;

/** Where signed requests go: Kafka in production, a list in unit tests. Completes on acknowledgement. */
public interface RequestSink {
  Future<Void> publish(DeployRequested request);
}
