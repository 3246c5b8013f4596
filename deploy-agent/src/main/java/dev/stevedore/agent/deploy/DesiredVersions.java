package dev.stevedore.agent.deploy;

import dev.stevedore.common.event.VersionUnblocked;
import io.vertx.core.Future;

/**
 * What the requests topic may do to the versions this host should run: the part of the
 * {@link Reconciler} that {@code kafka.RequestHandler} uses. Each future completes once the
 * change is on disk (the request's offset may then be committed).
 */
public interface DesiredVersions {
  /** An admitted request becomes its service's desired version (latest wins). */
  Future<Void> submit(DeployJob job);

  /** An admitted request for the version that already runs: nothing to deploy. */
  Future<Void> alreadyRuns(DeployJob job);

  /** A request this host will not run: {@code deploy.skipped}, remembered. */
  Future<Void> skip(DeployJob job, String reason);

  /** A verified, targeted unblock: the block on its version is lifted. */
  Future<Void> unblock(VersionUnblocked unblock);

  /** Withdraws a desired version that waits (never a running attempt); true when there was one, once on disk. */
  Future<Boolean> cancel(String service, String deploymentId, String reason);

  /** True when the deployment is a desired version here, or its attempt runs. */
  boolean holds(String deploymentId);
}
