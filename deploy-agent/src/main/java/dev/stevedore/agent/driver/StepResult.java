package dev.stevedore.agent.driver;

import dev.stevedore.agent.process.ProcessResult;

/**
 * How one step went: a failure is data (exit code, output tail, reason, whose fault), never an
 * exception.
 *
 * @param fault for a failure, whether it belongs to the version (it will fail again: the version
 *     is given up, and blocked when it had to be rolled back) or to the environment (a timeout, an
 *     unreachable daemon or registry, an open breaker: the agent waits and tries again)
 */
public record StepResult(boolean ok, Integer exitCode, String output, String reason, long durationMs, Fault fault) {

  /** Whose fault a failed step is. */
  public enum Fault {
    /** The step succeeded. */
    NONE,
    /** The version itself failed (not found, a hook or the health check failed): trying again will not help. */
    VERSION,
    /** Something the version does not control failed (timeout, daemon, registry, breaker): wait and retry. */
    ENVIRONMENT
  }

  public StepResult {
    output = output == null ? "" : output;
    fault = ok ? Fault.NONE : (fault == null || fault == Fault.NONE ? Fault.VERSION : fault);
  }

  /** A result whose failure, if any, is the version's. */
  public StepResult(boolean ok, Integer exitCode, String output, String reason, long durationMs) {
    this(ok, exitCode, output, reason, durationMs, Fault.VERSION);
  }

  /**
   * A docker, compose or git process: a timeout or an unreachable docker daemon is the
   * environment's fault, any other non-zero exit the version's.
   */
  public static StepResult of(ProcessResult r, String whatFailed) {
    boolean environment = r.timedOut() || Docker.unavailable(r);
    return new StepResult(r.ok(), r.exitCode(), r.output(),
        r.ok() ? null : (r.timedOut() ? whatFailed + " timed out" : whatFailed + " exited with " + r.exitCode()),
        r.durationMs(), environment ? Fault.ENVIRONMENT : Fault.VERSION);
  }

  /** A hook (migrations, smoke tests) ships with the version: its failure or timeout is the version's. */
  public static StepResult ofHook(ProcessResult r, String whatFailed) {
    StepResult s = of(r, whatFailed);
    return Docker.unavailable(r) ? s : s.withFault(Fault.VERSION);
  }

  public static StepResult ok(String output, long durationMs) {
    return new StepResult(true, null, output, null, durationMs, Fault.NONE);
  }

  /** A failure of the version. */
  public static StepResult failed(String reason, long durationMs) {
    return new StepResult(false, null, "", reason, durationMs, Fault.VERSION);
  }

  /** A failure of the environment (the agent waits and tries again). */
  public static StepResult unavailable(String reason, long durationMs) {
    return new StepResult(false, null, "", reason, durationMs, Fault.ENVIRONMENT);
  }

  public StepResult withFault(Fault f) {
    return new StepResult(ok, exitCode, output, reason, durationMs, f);
  }

  public StepResult withDuration(long ms) {
    return new StepResult(ok, exitCode, output, reason, ms, fault);
  }

  /** True when the step failed for a reason that belongs to the environment, not the version. */
  public boolean transientFailure() {
    return fault == Fault.ENVIRONMENT;
  }

  public StepResult plus(StepResult later) {
    return new StepResult(later.ok, later.exitCode, (output.isEmpty() ? "" : output + "\n") + later.output,
        later.reason, durationMs + later.durationMs, later.fault);
  }
}
