package dev.stevedore.common.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The command line every Stevedore service takes (picocli, as the {@code stevedore} CLI):
 * {@code [--config FILE] [-h|--help] [-V|--version]}. For {@code main} methods, which return the
 * exit code rather than calling {@code System.exit} themselves (so tests run them in-process).
 *
 * <p>Exit codes, the same for every service (docs/operations.md): {@value #EXIT_OK} for
 * {@code --help}, {@code --version} or a clean stop; {@value #EXIT_FAILED} when the service failed
 * at run time (did not start); {@value #EXIT_USAGE} for a usage or configuration error, before
 * anything started.
 */
public final class CommandLine {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  /** The exit codes as the help's footer shows them. */
  static final List<String> EXIT_CODES = List.of(
      "",
      "Exit codes:",
      "  " + EXIT_OK + "  help or version printed, or stopped cleanly (SIGTERM, Ctrl-C)",
      "  " + EXIT_FAILED + "  failed at run time (did not start)",
      "  " + EXIT_USAGE + "  usage or configuration error (nothing started)");

  /**
   * A service's command: its program name, one-line description and extra help lines (printed
   * before the exit codes).
   */
  public record Program(String name, String description, List<String> footer) {
    public Program {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(description, "description");
      footer = List.copyOf(footer);
    }

    public Program(String name, String description) {
      this(name, description, List.of());
    }
  }

  /** What the command line asks for: run with an optional configuration file, or exit now. */
  public sealed interface Parsed {
    record Run(Optional<Path> configFile) implements Parsed {
      public Run {
        Objects.requireNonNull(configFile, "configFile");
      }
    }

    record Exit(int code) implements Parsed {}
  }

  /** Either the loaded configuration or the exit code to leave with. */
  public sealed interface Loaded<C> {
    record Config<C>(C config) implements Loaded<C> {}

    record Exit<C>(int code) implements Loaded<C> {}
  }

  private CommandLine() {}

  /**
   * Parses {@code args}. {@code --help} and {@code --version} print to {@code out} and give
   * {@link Parsed.Exit} 0; an unknown option, a missing or repeated {@code --config} prints
   * {@code program: reason} and the usage to {@code err} and gives {@link Parsed.Exit}
   * {@value #EXIT_USAGE}.
   */
  public static Parsed parse(Program program, String[] args, PrintStream out, PrintStream err) {
    picocli.CommandLine line = command(program);
    ParseResult result;
    try {
      result = line.parseArgs(args);
    } catch (ParameterException e) {
      err.println(program.name() + ": " + e.getMessage());
      err.print(line.getUsageMessage(picocli.CommandLine.Help.Ansi.OFF));
      err.flush();
      return new Parsed.Exit(EXIT_USAGE);
    }
    if (line.isUsageHelpRequested()) {
      out.print(line.getUsageMessage(picocli.CommandLine.Help.Ansi.OFF));
      out.flush();
      return new Parsed.Exit(EXIT_OK);
    }
    if (line.isVersionHelpRequested()) {
      PrintWriter writer = new PrintWriter(out, true, StandardCharsets.UTF_8);
      line.printVersionHelp(writer, picocli.CommandLine.Help.Ansi.OFF);
      writer.flush();
      return new Parsed.Exit(EXIT_OK);
    }
    Path file = result.matchedOptionValue("--config", null);
    return new Parsed.Run(Optional.ofNullable(file));
  }

  /**
   * Parses {@code args} and, unless it asks for help or the version, loads the configuration with
   * {@code load}; a configuration error prints {@code program: reason} to {@code err} and gives
   * exit code {@value #EXIT_USAGE}.
   */
  public static <C> Loaded<C> load(Program program, String[] args, Function<Optional<Path>, C> load,
      PrintStream out, PrintStream err) {
    Parsed parsed = parse(program, args, out, err);
    if (parsed instanceof Parsed.Exit exit) {
      return new Loaded.Exit<>(exit.code());
    }
    try {
      return new Loaded.Config<>(load.apply(((Parsed.Run) parsed).configFile()));
    } catch (RuntimeException e) {
      err.println(program.name() + ": " + e.getMessage());
      err.flush();
      return new Loaded.Exit<>(EXIT_USAGE);
    }
  }

  /** The project version, from the resource Maven writes at build time; {@code unknown} without it. */
  public static String version() {
    Properties p = new Properties();
    try (InputStream in = CommandLine.class.getResourceAsStream("/dev/stevedore/stevedore-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version", "unknown");
  }

  private static picocli.CommandLine command(Program program) {
    CommandSpec spec = CommandSpec.create()
        .name(program.name())
        .mixinStandardHelpOptions(true)
        .versionProvider(() -> new String[] {
            program.name() + " " + version(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"});
    spec.addOption(OptionSpec.builder("--config")
        .paramLabel("FILE")
        .type(Path.class)
        .description("configuration file (YAML); without it the defaults and STEVEDORE_* environment "
            + "variables apply (docs/configuration.md)")
        .build());
    List<String> footer = new java.util.ArrayList<>(program.footer());
    footer.addAll(EXIT_CODES);
    spec.usageMessage()
        .description(program.description())
        .footer(footer.toArray(String[]::new));
    picocli.CommandLine line = new picocli.CommandLine(spec);
    line.setOverwrittenOptionsAllowed(false);
    return line;
  }
}
