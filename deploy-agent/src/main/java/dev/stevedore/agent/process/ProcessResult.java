package dev.stevedore.agent.process;

/**
 * What a process did: its exit code ({@code -1} when it could not start or was killed on
 * timeout), the tail of its combined output, and how long it took.
 */
public record ProcessResult(int exitCode, String output, long durationMs, boolean timedOut) {
  public boolean ok() {
    return exitCode == 0 && !timedOut;
  }

  /** The last {@code max} characters of the output. */
  public String tail(int max) {
    return output.length() <= max ? output : output.substring(output.length() - max);
  }
}
