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

  /** Step names whose failure happened before anything was switched (used by crash recovery). */
  boolean switches(String step);
}
