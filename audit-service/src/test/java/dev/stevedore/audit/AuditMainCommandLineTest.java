package dev.stevedore.audit;

import dev.stevedore.common.config.MainRun;
import org.junit.jupiter.api.Test;

/** {@link AuditMain} in-process: --help and --version exit 0 before anything starts, bad usage exits 2. */
class AuditMainCommandLineTest {
  @Test
  void helpVersionAndUsageErrorsExitWithoutStarting() {
    MainRun.checkStandardOptions("audit-service", args -> (out, err) -> AuditMain.run(args, out, err));
  }
}
