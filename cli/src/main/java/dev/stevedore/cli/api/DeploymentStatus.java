package dev.stevedore.cli.api;

import dev.stevedore.cli.ExitCode;
import java.util.Locale;

/** The audit's deployment statuses (docs/api.md), and the exit code each ends {@code --wait} with. */
public enum DeploymentStatus {
  REQUESTED(false, ExitCode.TIMEOUT),
  RUNNING(false, ExitCode.TIMEOUT),
  SUCCEEDED(true, ExitCode.OK),
  FAILED(true, ExitCode.FAILED),
  ROLLED_BACK(true, ExitCode.ROLLED_BACK),
  SKIPPED(true, ExitCode.OK),
  CANCELLED(true, ExitCode.CANCELLED),
  /** a word this CLI does not know (a newer audit): not finished */
  UNKNOWN(false, ExitCode.TIMEOUT);

  private final boolean finished;
  private final ExitCode exitCode;

  DeploymentStatus(boolean finished, ExitCode exitCode) {
    this.finished = finished;
    this.exitCode = exitCode;
  }

  public static DeploymentStatus of(String word) {
    if (word == null) {
      return UNKNOWN;
    }
    try {
      return valueOf(word.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      return UNKNOWN;
    }
  }

  public boolean finished() {
    return finished;
  }

  public ExitCode exitCode() {
    return exitCode;
  }
}
