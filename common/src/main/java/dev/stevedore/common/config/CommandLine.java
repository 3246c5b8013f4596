package dev.stevedore.common.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/** The command line every Stevedore service takes: {@code [--config FILE]}. For {@code main} methods. */
public final class CommandLine {
  private CommandLine() {}

  /** The file named by {@code --config}, if any; anything else on the command line is an error. */
  public static Optional<Path> configFile(String[] args) {
    Optional<Path> file = Optional.empty();
    for (int i = 0; i < args.length; i++) {
      if ("--config".equals(args[i]) && i + 1 < args.length && file.isEmpty()) {
        file = Optional.of(Path.of(args[++i]));
      } else {
        throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
      }
    }
    return file;
  }

  /**
   * Parses the command line and loads the configuration with {@code load}; on a usage or
   * configuration error prints {@code program: reason} and exits with status 2, as a service's
   * {@code main} should before anything starts.
   */
  public static <T> T configOrExit(String program, String[] args, Function<Optional<Path>, T> load) {
    try {
      return load.apply(configFile(args));
    } catch (IllegalArgumentException e) {
      System.err.println(program + ": " + e.getMessage());
      System.err.println("usage: " + program + " [--config FILE]");
    } catch (RuntimeException e) {
      System.err.println(program + ": " + e.getMessage());
    }
    System.exit(2);
    throw new IllegalStateException("unreachable");
  }
}
