package dev.stevedore.agent;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.AgentConfigs;
import dev.stevedore.common.config.CommandLine;
import dev.stevedore.common.config.CommandLine.Program;
import dev.stevedore.common.runtime.Launcher;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar deploy-agent-all.jar [--config agent.yml] [--help] [--version]}: the agent
 * daemon; SIGTERM or Ctrl-C stops it cleanly. {@code deploy ...}, {@code ssh-gate} and
 * {@code authorized-key ...} run one command and exit (push mode, see docs/push.md and
 * {@link AgentCommands}, with their own exit codes).
 */
public final class AgentMain {
  static final Program PROGRAM = new Program("deploy-agent",
      "Runs on a host: takes signed deployment requests from Kafka and deploys its services.",
      List.of("", "One-shot commands (push mode, docs/push.md):",
          "  deploy --service SERVICE --version VERSION [--config FILE]",
          "  ssh-gate [--config FILE]",
          "  authorized-key ..."));

  private AgentMain() {}

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.out, System.err);
    System.out.flush();
    if (code != CommandLine.EXIT_OK || AgentCommands.handles(args)) {
      System.exit(code);
    }
  }

  /** The whole run, returning the exit code instead of exiting (for tests). */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (AgentCommands.handles(args)) {
      return AgentCommands.run(args, env);
    }
    return launcher(env).run(args, out, err);
  }

  private static Launcher<AgentConfig> launcher(Map<String, String> env) {
    return Launcher.of(PROGRAM, file -> AgentConfigs.load(file, env), AgentService::start)
        // The agent is mostly idle: two event loops and a small worker pool (processes and the
        // state file have their own executors) keep its footprint small.
        .vertxOptions(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(4).setInternalBlockingPoolSize(4))
        .startTimeout(Duration.ofMinutes(5))
        // A running deployment may take up to 60 s to finish before the agent lets go.
        .stopTimeout(Duration.ofSeconds(70));
  }
}
