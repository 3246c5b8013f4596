package dev.stevedore.agent.push;

import dev.stevedore.common.event.DeploySkipped;
import dev.stevedore.common.event.Outcome;

/**
 * Exit codes of {@code stevedore-agent deploy}, {@code stevedore-agent ssh-gate} and
 * {@code stevedore push} (docs/push.md lists them). Only {@link #SUCCEEDED} is 0.
 */
public enum PushExit {
  /** The version runs and is healthy (or already ran: nothing to do). */
  SUCCEEDED(0),
  /** The deployment failed before anything was switched; the previous version keeps serving. */
  FAILED(1),
  /** A usage error: an unknown option, a malformed service or version, a command the gate does not allow. */
  USAGE(2),
  /** The new version failed after the switch and was rolled back (the version is blocked on the host). */
  ROLLED_BACK(3),
  /** The agent refused the request (service not managed here, version blocked, signature missing or wrong). */
  REFUSED(4),
  /** A deployment of the same service ran on the host for longer than {@code push.lockWait}; the push was withdrawn. */
  TIMEOUT(5),
  /** Anything else: the configuration or state could not be read, the connection failed, the host key was refused. */
  ERROR(6);

  /** The agent's skip reason for a request of the version that already runs (a success for a push). */
  static final String ALREADY_RUNS = "already runs here";

  public final int code;

  PushExit(int code) {
    this.code = code;
  }

  public static PushExit of(int code) {
    for (PushExit e : values()) {
      if (e.code == code) {
        return e;
      }
    }
    return ERROR;
  }

  /** What a deployment's terminal event means for a push. */
  public static PushExit of(Outcome outcome) {
    if (outcome instanceof dev.stevedore.common.event.DeploySucceeded) {
      return SUCCEEDED;
    }
    if (outcome instanceof dev.stevedore.common.event.DeployRolledBack) {
      return ROLLED_BACK;
    }
    if (outcome instanceof DeploySkipped s) {
      return s.reason() != null && s.reason().contains(ALREADY_RUNS) ? SUCCEEDED : REFUSED;
    }
    return FAILED;
  }
}
