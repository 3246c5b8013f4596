package dev.stevedore.trigger;

import dev.stevedore.common.config.CommandLine;
import dev.stevedore.common.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar trigger-service-all.jar [--config trigger.yml]}; stops cleanly on SIGTERM. */
public final class TriggerMain {
  private static final Logger LOG = LoggerFactory.getLogger(TriggerMain.class);
  public static final String DEFAULTS = "trigger-defaults.yml";

  private TriggerMain() {}

  public static void main(String[] args) throws InterruptedException {
    TriggerConfig config = CommandLine.configOrExit("trigger-service", args,
        file -> ConfigLoader.fromSystem().load(TriggerConfig.class, DEFAULTS, file));
    Vertx vertx = Vertx.vertx();
    RunningTrigger running;
    try {
      running = TriggerService.start(vertx, config).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.error("trigger-service did not start: {}", e.getMessage(), e);
      vertx.close();
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("stopping");
      running.stop().eventually(vertx::close).onComplete(ar -> stopped.countDown());
      try {
        stopped.await(15, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      LOG.info("stopped");
      // Flush the asynchronous log appender before the JVM goes.
      if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
        context.stop();
      }
    }, "trigger-shutdown"));
  }
}
