package dev.stevedore.agent.deploy;

import dev.stevedore.agent.driver.StepResult;
import dev.stevedore.agent.state.AgentState.Desired;
import dev.stevedore.agent.state.AgentState.Intent;

/**
 * What the agent does on start-up with an attempt an earlier process left unfinished (its intent):
 * a pure function of the journal, the progress, the limit and what runs now. The agent's own death
 * is never the version's fault: it never blocks a version and never ends a deployment that is
 * still the newest request, unless the agent died during it too often.
 */
public final class Recovery {
  private Recovery() {}

  /** What to do. */
  public sealed interface Plan {
    /** A rollback was under way: finish putting the previous release back, then end as it would have. */
    record FinishRollback(String failedStep, String reason, StepResult.Fault fault) implements Plan {}

    /** Every forward step had passed and the new release runs: only its health check is left. */
    record Verify() implements Plan {}

    /** Run the deployment again from its first step (pulls and hooks are idempotent; the image is cached). */
    record Rerun(String why) implements Plan {}

    /**
     * End the interrupted deployment without running it again (a newer request replaced it, or the
     * agent died during it too often); {@code restore}: put the previous release back first.
     */
    record Abandon(String why, boolean restore, boolean superseded) implements Plan {}
  }

  /**
   * @param intent the interrupted attempt's journal
   * @param desired the service's desired version now (null: none recorded, an older agent's state)
   * @param maxRestarts how many attempts of one deployment the agent may die in before it gives up
   * @param newReleaseRuns whether what runs now differs from the release the attempt started from
   */
  public static Plan decide(Intent intent, Desired desired, int maxRestarts, boolean newReleaseRuns) {
    String where = "the agent restarted during " + (intent.step == null ? "the start" : intent.step);
    if (intent.rollingBack) {
      return new Plan.FinishRollback(intent.failedStep == null ? intent.step : intent.failedStep,
          intent.failReason == null ? where : intent.failReason,
          intent.failFault == null ? StepResult.Fault.VERSION : intent.failFault);
    }
    if (desired != null && !desired.deploymentId.equals(intent.deploymentId)) {
      return new Plan.Abandon(where + "; superseded by deployment " + desired.deploymentId + " (version "
          + desired.version + ")", intent.switched, true);
    }
    if (intent.forwardDone && newReleaseRuns) {
      return new Plan.Verify();
    }
    int restarts = desired == null ? 1 : desired.restarts + 1;
    if (restarts > maxRestarts) {
      return new Plan.Abandon(where + "; the agent died during " + restarts + " attempts of this deployment (limit "
          + maxRestarts + "), giving up", intent.switched, false);
    }
    return new Plan.Rerun(where + "; running the deployment again from its first step (restart " + restarts + " of at most "
        + maxRestarts + ")");
  }
}
