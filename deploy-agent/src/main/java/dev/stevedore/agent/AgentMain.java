package dev.stevedore.agent;

import dev.stevedore.common.config.CommandLine;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.AgentConfigs;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar deploy-agent-all.jar [--config agent.yml]}; SIGTERM stops it cleanly. */
public final class AgentMain {
  private static final Logger LOG = LoggerFactory.getLogger(AgentMain.class);

  private AgentMain() {}

  public static void main(String[] args) throws InterruptedException {
    AgentConfig config = CommandLine.configOrExit("deploy-agent", args, file -> AgentConfigs.load(file, System.getenv()));
    // The agent is mostly idle: two event loops and a small worker pool (processes and the state
    // file have their own executors) keep its footprint small.
    Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(4)
        .setInternalBlockingPoolSize(4));
    RunningAgent[] agent = new RunningAgent[1];
    try {
      // Waited for here, on the main thread: exiting from a callback would block an event loop
      // that the shutdown hook's vertx.close() needs.
      agent[0] = AgentService.start(vertx, config).await();
    } catch (Exception e) {
      LOG.error("deploy-agent failed to start: {}", e.getMessage(), e);
      vertx.close();
      System.exit(1);
      return;
    }
    LOG.info("deploy-agent {} started (ops port {})", config.hostId(), agent[0].httpPort());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("deploy-agent stopping");
      CountDownLatch stopped = new CountDownLatch(1);
      if (agent[0] != null) {
        agent[0].stop().eventually(vertx::close).onComplete(ar -> stopped.countDown());
      } else {
        vertx.close().onComplete(ar -> stopped.countDown());
      }
      try {
        stopped.await(70, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "agent-shutdown"));
  }
}
