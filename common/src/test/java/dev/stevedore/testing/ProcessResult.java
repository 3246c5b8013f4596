package dev.stevedore.testing;

import java.time.Duration;
import java.util.List;

/**
 * What a finished (or timed-out) command produced.
 *
 * @param command the argument list that was run
 * @param exitCode the exit code, or -1 when the command timed out and was killed
 * @param stdout everything it wrote to standard output
 * @param stderr everything it wrote to standard error
 * @param elapsed wall time
 * @param timedOut whether the timeout ended it
 */
public record ProcessResult(List<String> command, int exitCode, String stdout, String stderr,
                            Duration elapsed, boolean timedOut) {

  /** Exit code 0 and no timeout. */
  public boolean ok() {
    return exitCode == 0 && !timedOut;
  }

  /** This result when {@link #ok()}, else an {@link IllegalStateException} with the output. */
  public ProcessResult orThrow() {
    if (!ok()) {
      throw new IllegalStateException(describe());
    }
    return this;
  }

  /** Standard output, trimmed. */
  public String out() {
    return stdout.trim();
  }

  /** Non-empty lines of standard output, trimmed. */
  public List<String> lines() {
    return stdout.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
  }

  /** Command, exit code, time and (the end of) both outputs, for failure messages. */
  public String describe() {
    return String.join(" ", command)
        + (timedOut ? " timed out" : " exited " + exitCode) + " after " + elapsed.toMillis() + " ms"
        + "\n--- stdout ---\n" + tail(stdout) + "\n--- stderr ---\n" + tail(stderr);
  }

  private static String tail(String text) {
    return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
  }

  @Override
  public String toString() {
    return describe();
  }
}
