package dev.stevedore.trigger;

import dev.stevedore.common.config.MainRun;
import org.junit.jupiter.api.Test;

/** {@link TriggerMain} in-process: --help and --version exit 0 before anything starts, bad usage exits 2. */
class TriggerMainCommandLineTest {
  @Test
  void helpVersionAndUsageErrorsExitWithoutStarting() {
    MainRun.checkStandardOptions("trigger-service", args -> (out, err) -> TriggerMain.run(args, out, err));
  }
}
