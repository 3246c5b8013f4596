package dev.stevedore.agent.driver;

import dev.stevedore.agent.process.ProcessResult;

/** How one step went: a failure is data (exit code, output tail, reason), never an exception. */
public record StepResult(boolean ok, Integer exitCode, String output, String reason, long durationMs) {
  public StepResult {
    output = output == null ? "" : output;
  }

  public static StepResult of(ProcessResult r, String whatFailed) {
    return new StepResult(r.ok(), r.exitCode(), r.output(),
        r.ok() ? null : (r.timedOut() ? whatFailed + " timed out" : whatFailed + " exited with " + r.exitCode()),
        r.durationMs());
  }

  public static StepResult ok(String output, long durationMs) {
    return new StepResult(true, null, output, null, durationMs);
  }

  public static StepResult failed(String reason, long durationMs) {
    return new StepResult(false, null, "", reason, durationMs);
  }

  public StepResult plus(StepResult later) {
    return new StepResult(later.ok, later.exitCode, (output.isEmpty() ? "" : output + "\n") + later.output,
        later.reason, durationMs + later.durationMs);
  }
}
