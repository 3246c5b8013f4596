package dev.stevedore.audit;

import dev.stevedore.common.config.CommandLine;
import dev.stevedore.common.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar audit-service-all.jar [--config audit.yml]}: runs until SIGTERM. */
public final class AuditMain {
  private static final Logger LOG = LoggerFactory.getLogger(AuditMain.class);

  private AuditMain() {}

  public static void main(String[] args) throws InterruptedException {
    AuditConfig config = CommandLine.configOrExit("audit-service", args,
        file -> ConfigLoader.fromSystem().load(AuditConfig.class, "audit-defaults.yml", file));
    Vertx vertx = Vertx.vertx();
    AuditService.RunningAudit running;
    try {
      running = AuditService.start(vertx, config).await(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.error("audit service failed to start", e);
      vertx.close();
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("stopping audit service");
      try {
        running.stop().eventually(vertx::close).await(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("unclean stop: {}", e.toString());
      }
      stopped.countDown();
    }, "audit-shutdown"));
    LOG.info("audit service running on port {}", running.port());
    stopped.await();
  }
}
