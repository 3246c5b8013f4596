package dev.stevedore.local;

import dev.stevedore.common.config.MainRun;
import org.junit.jupiter.api.Test;

/** {@link LocalMain} in-process: --help and --version exit 0 before anything starts, bad usage exits 2. */
class LocalMainCommandLineTest {
  @Test
  void helpVersionAndUsageErrorsExitWithoutStarting() {
    MainRun.checkStandardOptions("stevedore-local", args -> (out, err) -> LocalMain.run(args, out, err));
  }
}
