package dev.stevedore.proxy;

import dev.stevedore.common.config.CommandLine;
import dev.stevedore.common.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar edge-proxy-all.jar [--config edge-proxy.yml]}: its own process (a systemd unit
 * or a container), never a child the agent's death would take down. SIGTERM closes the servers.
 */
public final class ProxyMain {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyMain.class);

  private ProxyMain() {}

  public static void main(String[] args) {
    ProxyConfig config = CommandLine.configOrExit("edge-proxy", args,
        file -> ConfigLoader.fromSystem().load(ProxyConfig.class, "edge-proxy-defaults.yml", file));
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(2, config.instances()))
        .setWorkerPoolSize(2).setInternalBlockingPoolSize(2));
    try {
      EdgeProxy.Running running = EdgeProxy.start(vertx, config).await();
      LOG.info("edge-proxy started (port {}, admin port {})", running.port(), running.adminPort());
    } catch (Exception e) {
      LOG.error("edge-proxy failed to start: {}", e.getMessage(), e);
      vertx.close();
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      CountDownLatch closed = new CountDownLatch(1);
      vertx.close().onComplete(ar -> closed.countDown());
      try {
        closed.await(15, TimeUnit.SECONDS);   // the public server gives requests in flight 10 s
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "edge-proxy-shutdown"));
  }
}
