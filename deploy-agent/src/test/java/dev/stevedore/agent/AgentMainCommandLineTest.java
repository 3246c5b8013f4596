package dev.stevedore.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.config.MainRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link AgentMain} in-process: --help and --version exit 0 before anything starts, bad usage
 * exits 2; the push-mode commands still go to {@link AgentCommands}.
 */
class AgentMainCommandLineTest {
  @Test
  void helpVersionAndUsageErrorsExitWithoutStarting() {
    MainRun.checkStandardOptions("deploy-agent", args -> (out, err) -> AgentMain.run(args, Map.of(), out, err));
    assertThat(MainRun.of((out, err) -> AgentMain.run(new String[] {"--help"}, Map.of(), out, err)).out())
        .contains("deploy --service SERVICE --version VERSION", "ssh-gate", "authorized-key");
  }

  @Test
  void pushCommandsAreStillTheAgentCommands() {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = MainRun.of((out, err) -> AgentMain.run(new String[] {"authorized-key"}, Map.of(), out, err)).code();
    } finally {
      System.setErr(original);
    }
    // AgentCommands' own usage line, not picocli's "Unmatched argument"
    assertThat(code).isEqualTo(2);
    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("usage: stevedore-agent authorized-key --public-key");
  }
}
