package dev.stevedore.proxy;

import dev.stevedore.common.config.CommandLine;
import dev.stevedore.common.config.CommandLine.Loaded;
import dev.stevedore.common.config.CommandLine.Program;
import dev.stevedore.common.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar edge-proxy-all.jar [--config edge-proxy.yml] [--help] [--version]}: its own
 * process (a systemd unit or a container), never a child the agent's death would take down.
 * SIGTERM frees the admin port, stops accepting, closes client connections after their next
 * response for {@code shutdownGrace}, then closes the idle ones and lets requests in flight finish. Exit codes: docs/operations.md.
 */
public final class ProxyMain {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyMain.class);
  static final Program PROGRAM = new Program("edge-proxy",
      "Forwards a service's traffic to its live colour (blue-green deployments, docs/blue-green.md).");

  private ProxyMain() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != CommandLine.EXIT_OK) {
      System.exit(code);
    }
  }

  /**
   * Parses the command line and starts the proxy; returns 0 once it runs (its threads keep the JVM
   * alive until SIGTERM), or the exit code (help, version, usage error, failed start).
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Loaded<ProxyConfig> loaded = CommandLine.load(PROGRAM, args,
        file -> ConfigLoader.fromSystem().load(ProxyConfig.class, "edge-proxy-defaults.yml", file), out, err);
    if (loaded instanceof Loaded.Exit<ProxyConfig> exit) {
      return exit.code();
    }
    ProxyConfig config = ((Loaded.Config<ProxyConfig>) loaded).config();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(2, config.instances()))
        .setWorkerPoolSize(2).setInternalBlockingPoolSize(2).setPreferNativeTransport(config.reusePort()));
    EdgeProxy.Running running;
    try {
      running = EdgeProxy.start(vertx, config).await();
      LOG.info("edge-proxy started (port {}, admin port {})", running.port(), running.adminPort());
    } catch (Exception e) {
      LOG.error("edge-proxy failed to start: {}", e.getMessage(), e);
      vertx.close();
      return CommandLine.EXIT_FAILED;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      CountDownLatch drained = new CountDownLatch(1);
      CountDownLatch closed = new CountDownLatch(1);
      running.shutdown().apply(config.shutdownGrace()).onComplete(ar -> drained.countDown());
      try {
        // the grace, then the public server gives requests in flight 10 s
        drained.await(config.shutdownGrace().toSeconds() + 15, TimeUnit.SECONDS);
        vertx.close().onComplete(ar -> closed.countDown());
        closed.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "edge-proxy-shutdown"));
    return CommandLine.EXIT_OK;
  }
}
