package dev.stevedore.audit.store;

import java.util.Collection;

/**
 * A deployment's status from its hosts' states: {@code requested} until an agent reports,
 * {@code running} while any host has no outcome, then {@code failed} if any host failed,
 * {@code rolled-back} if any rolled back, {@code skipped} if every host skipped, else
 * {@code succeeded}. A request cancelled before any host started is {@code cancelled}.
 */
public final class DeploymentStatus {
  public static final String REQUESTED = "requested";
  public static final String RUNNING = "running";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String ROLLED_BACK = "rolled-back";
  public static final String SKIPPED = "skipped";
  public static final String CANCELLED = "cancelled";

  public static final java.util.Set<String> ALL =
      java.util.Set.of(REQUESTED, RUNNING, SUCCEEDED, FAILED, ROLLED_BACK, SKIPPED, CANCELLED);

  private DeploymentStatus() {}

  public static String derive(Collection<String> hostStatuses, boolean cancelled) {
    if (hostStatuses.isEmpty()) {
      return cancelled ? CANCELLED : REQUESTED;
    }
    if (hostStatuses.contains(RUNNING)) {
      return RUNNING;
    }
    if (hostStatuses.contains(FAILED)) {
      return FAILED;
    }
    if (hostStatuses.contains(ROLLED_BACK)) {
      return ROLLED_BACK;
    }
    if (hostStatuses.stream().allMatch(SKIPPED::equals)) {
      return SKIPPED;
    }
    return SUCCEEDED;
  }

  public static boolean terminal(String status) {
    return SUCCEEDED.equals(status) || FAILED.equals(status) || ROLLED_BACK.equals(status)
        || SKIPPED.equals(status) || CANCELLED.equals(status);
  }
}
