package dev.stevedore.trigger;

import dev.stevedore.common.config.CommandLine.Program;
import dev.stevedore.common.config.ConfigLoader;
import dev.stevedore.common.runtime.Launcher;
import java.io.PrintStream;
import java.time.Duration;

/**
 * {@code java -jar trigger-service-all.jar [--config trigger.yml] [--help] [--version]}; stops
 * cleanly on SIGTERM or Ctrl-C. Exit codes: docs/operations.md.
 */
public final class TriggerMain {
  public static final String DEFAULTS = "trigger-defaults.yml";
  static final Program PROGRAM = new Program("trigger-service",
      "Turns webhooks, schedules and manual requests into signed deployment requests on Kafka.");

  private TriggerMain() {}

  public static void main(String[] args) {
    launcher().run(args);
  }

  /** The whole run, returning the exit code instead of exiting (for tests). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return launcher().run(args, out, err);
  }

  private static Launcher<TriggerConfig> launcher() {
    return Launcher.of(PROGRAM,
            file -> ConfigLoader.fromSystem().load(TriggerConfig.class, DEFAULTS, file),
            TriggerService::start)
        // the start-up warm-up may take up to 45 s of it (TriggerConfig.WarmUp.MAX_DURATION_MS)
        .startTimeout(Duration.ofSeconds(90))
        .stopTimeout(Duration.ofSeconds(15));
  }
}
