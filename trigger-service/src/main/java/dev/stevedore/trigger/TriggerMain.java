package dev.stevedore.trigger;

import dev.stevedore.common.config.ConfigLoader;
import dev.stevedore.common.runtime.Launcher;
import java.time.Duration;

/** {@code java -jar trigger-service-all.jar [--config trigger.yml]}; stops cleanly on SIGTERM or Ctrl-C. */
public final class TriggerMain {
  public static final String DEFAULTS = "trigger-defaults.yml";

  private TriggerMain() {}

  public static void main(String[] args) {
    Launcher.of("trigger-service",
            file -> ConfigLoader.fromSystem().load(TriggerConfig.class, DEFAULTS, file),
            TriggerService::start)
        .startTimeout(Duration.ofSeconds(60))
        .stopTimeout(Duration.ofSeconds(15))
        .run(args);
  }
}
