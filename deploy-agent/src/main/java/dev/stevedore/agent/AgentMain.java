package dev.stevedore.agent;

import dev.stevedore.agent.config.AgentConfigs;
import dev.stevedore.common.runtime.Launcher;
import io.vertx.core.VertxOptions;
import java.time.Duration;

/**
 * {@code java -jar deploy-agent-all.jar [--config agent.yml]}: the agent daemon; SIGTERM or Ctrl-C
 * stops it cleanly. {@code deploy ...}, {@code ssh-gate} and {@code authorized-key ...} run one
 * command and exit (push mode, see docs/push.md and {@link AgentCommands}).
 */
public final class AgentMain {
  private AgentMain() {}

  public static void main(String[] args) {
    if (AgentCommands.handles(args)) {
      int code = AgentCommands.run(args, System.getenv());
      System.out.flush();
      System.exit(code);
    }
    Launcher.of("deploy-agent", file -> AgentConfigs.load(file, System.getenv()), AgentService::start)
        // The agent is mostly idle: two event loops and a small worker pool (processes and the
        // state file have their own executors) keep its footprint small.
        .vertxOptions(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(4).setInternalBlockingPoolSize(4))
        .startTimeout(Duration.ofMinutes(5))
        // A running deployment may take up to 60 s to finish before the agent lets go.
        .stopTimeout(Duration.ofSeconds(70))
        .run(args);
  }
}
