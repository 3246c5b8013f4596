package dev.stevedore.proxy;

import dev.stevedore.common.config.MainRun;
import org.junit.jupiter.api.Test;

/** {@link ProxyMain} in-process: --help and --version exit 0 before anything starts, bad usage exits 2. */
class ProxyMainCommandLineTest {
  @Test
  void helpVersionAndUsageErrorsExitWithoutStarting() {
    MainRun.checkStandardOptions("edge-proxy", args -> (out, err) -> ProxyMain.run(args, out, err));
  }
}
