package dev.stevedore.trigger;

import dev.stevedore.common.runtime.RunningService;
import io.vertx.core.Future;
import java.security.PublicKey;
import java.util.function.Supplier;

/** A started trigger service: its bound ports (webhooks and API; management), the public key agents must trust, and how to stop it. */
public final class RunningTrigger implements RunningService {
  private final int port;
  private final int opsPort;
  private final PublicKey publicKey;
  private final Supplier<Future<Void>> stop;

  RunningTrigger(int port, int opsPort, PublicKey publicKey, Supplier<Future<Void>> stop) {
    this.port = port;
    this.opsPort = opsPort;
    this.publicKey = publicKey;
    this.stop = stop;
  }

  @Override
  public int port() {
    return port;
  }

  /** The management port: {@code /health/live}, {@code /health/ready}, {@code /metrics}. */
  public int opsPort() {
    return opsPort;
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  @Override
  public Future<Void> stop() {
    return stop.get();
  }
}
