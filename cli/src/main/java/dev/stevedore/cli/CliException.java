package dev.stevedore.cli;

/** A failure the user sees as one line on stderr and an {@link ExitCode}; never a stack trace. */
public final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ExitCode exitCode;

  public CliException(ExitCode exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public static CliException usage(String message) {
    return new CliException(ExitCode.USAGE, message);
  }

  public ExitCode exitCode() {
    return exitCode;
  }
}
