package dev.stevedore.common.runtime;

import io.vertx.core.Future;

/** A started service, as its launcher and its tests hold it. */
public interface RunningService {
  /** The port its HTTP server is bound to; -1 when it serves no HTTP. */
  int port();

  /**
   * Stops it in order (HTTP first, so no new work comes in; then consumers; then producers and
   * pools); each step bounded, so an unreachable dependency cannot hold the shutdown.
   */
  Future<Void> stop();
}
