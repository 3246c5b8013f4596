package dev.stevedore.agent.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A process to run: an argument list (never a shell string), a working directory, environment
 * variables (added to the allow-listed part of the agent's own, see {@link ChildEnvironment}) and
 * a time bound.
 */
public record Command(List<String> args, Path workingDirectory, Map<String, String> environment, Duration timeout) {
  public Command {
    if (args == null || args.isEmpty()) {
      throw new IllegalArgumentException("a command needs at least the program");
    }
    args = List.copyOf(args);
    environment = environment == null ? Map.of() : Map.copyOf(environment);
    timeout = timeout == null ? Duration.ofMinutes(5) : timeout;
  }

  public static Command of(List<String> args) {
    return new Command(args, null, Map.of(), null);
  }

  public Command withEnvironment(Map<String, String> env) {
    return new Command(args, workingDirectory, env, timeout);
  }

  public Command withTimeout(Duration t) {
    return new Command(args, workingDirectory, environment, t);
  }

  /** For logs: the argument list joined with spaces (display only, never executed as a string). */
  public String display() {
    return String.join(" ", args);
  }
}
