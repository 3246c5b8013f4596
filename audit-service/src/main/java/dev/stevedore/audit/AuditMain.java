package dev.stevedore.audit;

import dev.stevedore.common.config.CommandLine.Program;
import dev.stevedore.common.config.ConfigLoader;
import dev.stevedore.common.runtime.Launcher;
import java.io.PrintStream;
import java.time.Duration;

/**
 * {@code java -jar audit-service-all.jar [--config audit.yml] [--help] [--version]}: runs until
 * SIGTERM or Ctrl-C. Exit codes: docs/operations.md.
 */
public final class AuditMain {
  public static final String DEFAULTS = "audit-defaults.yml";
  static final Program PROGRAM = new Program("audit-service",
      "Stores every Stevedore event in a database and answers the audit API.");

  private AuditMain() {}

  public static void main(String[] args) {
    launcher().run(args);
  }

  /** The whole run, returning the exit code instead of exiting (for tests). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return launcher().run(args, out, err);
  }

  private static Launcher<AuditConfig> launcher() {
    return Launcher.of(PROGRAM,
            file -> ConfigLoader.fromSystem().load(AuditConfig.class, DEFAULTS, file),
            AuditService::start)
        // Flyway migrates a large database at start-up before the service answers.
        .startTimeout(Duration.ofSeconds(120))
        .stopTimeout(Duration.ofSeconds(20));
  }
}
