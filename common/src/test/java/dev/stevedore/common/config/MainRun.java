package dev.stevedore.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A service's {@code main} run in-process through its exit-code method, with stdout and stderr
 * captured; and the checks every service's command line must pass (--help, --version, a usage
 * error), none of which may start anything.
 */
public record MainRun(int code, String out, String err) {
  /** {@code (out, err) -> exit code}: the main's testable form with the arguments bound. */
  public interface Main {
    int run(PrintStream out, PrintStream err);
  }

  public static MainRun of(Main main) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new MainRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Runs {@code --help}, {@code --version} and {@code --no-such-option} through {@code main}. */
  public static void checkStandardOptions(String program, java.util.function.Function<String[], Main> main) {
    MainRun help = of(main.apply(new String[] {"--help"}));
    assertThat(help.code()).isZero();
    assertThat(help.out()).startsWith("Usage: " + program + " [-hV] [--config=FILE]")
        .contains("--config=FILE", "--version", "Exit codes:");
    assertThat(help.err()).isEmpty();

    MainRun version = of(main.apply(new String[] {"--version"}));
    assertThat(version.code()).isZero();
    assertThat(version.out()).startsWith(program + " " + CommandLine.version());
    assertThat(CommandLine.version()).isNotEqualTo("unknown");

    MainRun usage = of(main.apply(new String[] {"--no-such-option"}));
    assertThat(usage.code()).isEqualTo(CommandLine.EXIT_USAGE);
    assertThat(usage.err()).startsWith(program + ": Unknown option: '--no-such-option'").contains("Usage: " + program);
    assertThat(usage.out()).isEmpty();
  }
}
