package dev.stevedore.agent.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A process to run: an argument list (never a shell string), a working directory, environment
 * variables (added to the allow-listed part of the agent's own, see {@link ChildEnvironment}), a
 * time bound, optionally a label that logs and results show instead of the arguments (a
 * hook's arguments may carry secrets), whether the output is stdout alone ({@code stdoutOnly},
 * for output that is parsed; stderr is then added only when the process fails) or both merged, and
 * whether it runs in a session of its own ({@code isolated}: the operator's own programs, hooks and
 * restart commands, whose children may daemonize; on a timeout the whole session is killed), and
 * optionally what it reads on stdin ({@code input}, else nothing: {@code /dev/null}). The
 * agent's docker, compose and git commands are not isolated: starting each through {@code setsid}
 * cost 10-20 ms at the median and up to 100 ms at p90 per command, on every command of a deploy.
 */
public record Command(List<String> args, Path workingDirectory, Map<String, String> environment, Duration timeout,
    String label, boolean stdoutOnly, boolean isolated, String input) {
  public Command {
    if (args == null || args.isEmpty()) {
      throw new IllegalArgumentException("a command needs at least the program");
    }
    args = List.copyOf(args);
    environment = environment == null ? Map.of() : Map.copyOf(environment);
    timeout = timeout == null ? Duration.ofMinutes(5) : timeout;
  }

  public Command(List<String> args, Path workingDirectory, Map<String, String> environment, Duration timeout,
      String label, boolean stdoutOnly, boolean isolated) {
    this(args, workingDirectory, environment, timeout, label, stdoutOnly, isolated, null);
  }

  public Command(List<String> args, Path workingDirectory, Map<String, String> environment, Duration timeout) {
    this(args, workingDirectory, environment, timeout, null, false, false, null);
  }

  public static Command of(List<String> args) {
    return new Command(args, null, Map.of(), null);
  }

  public Command withEnvironment(Map<String, String> env) {
    return new Command(args, workingDirectory, env, timeout, label, stdoutOnly, isolated, input);
  }

  public Command withTimeout(Duration t) {
    return new Command(args, workingDirectory, environment, t, label, stdoutOnly, isolated, input);
  }

  /** Shown instead of the arguments wherever the command is displayed. */
  public Command withLabel(String l) {
    return new Command(args, workingDirectory, environment, timeout, l, stdoutOnly, isolated, input);
  }

  /** Output is stdout alone (stderr follows it only when the process fails): for output that is parsed. */
  public Command withStdoutOnly() {
    return new Command(args, workingDirectory, environment, timeout, label, true, isolated, input);
  }

  /** Runs in a session of its own, killed as a whole on a timeout (the operator's hooks and restart commands). */
  public Command inOwnSession() {
    return new Command(args, workingDirectory, environment, timeout, label, stdoutOnly, true, input);
  }

  /** Reads {@code text} (UTF-8) on stdin instead of nothing: how a credential helper gets the registry host. */
  public Command withInput(String text) {
    return new Command(args, workingDirectory, environment, timeout, label, stdoutOnly, isolated, text);
  }

  /**
   * For logs and results: the label, else the argument list joined with spaces (display only,
   * never executed as a string).
   */
  public String display() {
    return label != null ? label : String.join(" ", args);
  }
}
