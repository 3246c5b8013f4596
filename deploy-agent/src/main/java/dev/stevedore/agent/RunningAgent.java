package dev.stevedore.agent;

import dev.stevedore.common.runtime.RunningService;
import io.vertx.core.Future;
import java.util.function.Supplier;

/** A started agent: its ops HTTP port (-1 when disabled) and a way to stop it. */
public final class RunningAgent implements RunningService {
  private final int port;
  private final Supplier<Future<Void>> stopper;

  RunningAgent(int port, Supplier<Future<Void>> stopper) {
    this.port = port;
    this.stopper = stopper;
  }

  @Override
  public int port() {
    return port;
  }

  /** The ops HTTP port, as {@link #port()} (kept for the agent's tests that name it so). */
  public int httpPort() {
    return port;
  }

  /** Stops consuming, waits for a running deployment to finish (at most 60 s), closes Kafka clients. */
  @Override
  public Future<Void> stop() {
    return stopper.get();
  }
}
