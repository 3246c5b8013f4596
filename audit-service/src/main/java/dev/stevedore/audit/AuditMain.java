package dev.stevedore.audit;

import dev.stevedore.common.config.ConfigLoader;
import dev.stevedore.common.runtime.Launcher;
import java.time.Duration;

/** {@code java -jar audit-service-all.jar [--config audit.yml]}: runs until SIGTERM or Ctrl-C. */
public final class AuditMain {
  public static final String DEFAULTS = "audit-defaults.yml";

  private AuditMain() {}

  public static void main(String[] args) {
    Launcher.of("audit-service",
            file -> ConfigLoader.fromSystem().load(AuditConfig.class, DEFAULTS, file),
            AuditService::start)
        // Flyway migrates a large database at start-up before the service answers.
        .startTimeout(Duration.ofSeconds(120))
        .stopTimeout(Duration.ofSeconds(20))
        .run(args);
  }
}
