package dev.stevedore.agent;

import io.vertx.core.Future;
import java.util.function.Supplier;

/** A started agent: its ops HTTP port (-1 when disabled) and a way to stop it. */
public final class RunningAgent {
  private final int httpPort;
  private final Supplier<Future<Void>> stopper;

  RunningAgent(int httpPort, Supplier<Future<Void>> stopper) {
    this.httpPort = httpPort;
    this.stopper = stopper;
  }

  public int httpPort() {
    return httpPort;
  }

  /** Stops consuming, waits for a running deployment to finish (at most 60 s), closes Kafka clients. */
  public Future<Void> stop() {
    return stopper.get();
  }
}
