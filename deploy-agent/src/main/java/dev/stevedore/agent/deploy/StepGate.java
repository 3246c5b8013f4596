package dev.stevedore.agent.deploy;

import io.vertx.core.Future;

/**
 * A point before and after every step where a test can stop the agent deterministically (see
 * {@code TestHooks}); in production it passes at once.
 */
public interface StepGate {
  StepGate OPEN = (when, step) -> Future.succeededFuture();

  /** {@code when}: {@code before} or {@code after}. */
  Future<Void> pass(String when, String step);
}
