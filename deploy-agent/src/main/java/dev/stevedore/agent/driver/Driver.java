package dev.stevedore.agent.driver;

import io.vertx.core.Future;
import java.util.List;

/** How one service is deployed: the steps of the cycle, what runs now, and how to put a release back. */
public interface Driver {
  /** What runs now (never fails: an unreachable daemon gives a failed future only for real errors). */
  Future<Running> inspect();

  /** The steps from the running version to {@code version}, health check excluded. */
  List<StepPlan> forward(String version);

  /** The steps that put {@code version} (whose image id or commit is {@code previous}) back. */
  List<StepPlan> rollback(String version, Running previous);

  /**
   * What will run once {@code version} is switched in (image id and digest), as soon as the
   * driver can tell: the default asks what runs. The compose driver with a configured {@code image}
   * answers from the pulled image, so this runs alongside {@code up}.
   */
  default Future<Running> target(String version) {
    return inspect();
  }

  /**
   * Null when the driver's dependencies (docker daemon, registry) accept calls, else why a
   * deployment must wait before it starts (an open circuit breaker): asked before every attempt.
   */
  default String waitingFor() {
    return null;
  }
}
