package dev.stevedore.trigger;

import dev.stevedore.common.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Optional;
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
    Optional<Path> file = Optional.empty();
    for (int i = 0; i < args.length; i++) {
      if ("--config".equals(args[i]) && i + 1 < args.length) {
        file = Optional.of(Path.of(args[++i]));
      } else {
        System.err.println("usage: trigger-service [--config trigger.yml]");
        System.exit(2);
      }
    }
    TriggerConfig config;
    try {
      config = ConfigLoader.fromSystem().load(TriggerConfig.class, DEFAULTS, file);
    } catch (RuntimeException e) {
      System.err.println("trigger-service: " + e.getMessage());
      System.exit(2);
      return;
    }
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
