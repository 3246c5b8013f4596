package dev.stevedore.common.runtime;

import dev.stevedore.common.config.CommandLine;
import dev.stevedore.common.config.CommandLine.Loaded;
import dev.stevedore.common.config.CommandLine.Program;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code main} of every Stevedore service: parse its command line ({@link CommandLine}:
 * {@code [--config FILE] [--help] [--version]}), load the typed
 * configuration, start the service on a new Vert.x instance and wait for it on the main thread,
 * then stop it on SIGTERM or Ctrl-C (SIGINT) alike: the service first, then Vert.x, then the
 * logging (so the last lines reach the log).
 *
 * <p>Exit codes: 0 after {@code --help} or {@code --version}; {@value #EXIT_USAGE} for a usage or
 * configuration error (nothing started), {@value #EXIT_START_FAILED} when the service did not
 * start; after a signal the JVM reports
 * 128 + the signal's number (143 for SIGTERM, 130 for Ctrl-C) once the stop has run.
 */
public final class Launcher<C> {
  public static final int EXIT_START_FAILED = CommandLine.EXIT_FAILED;
  public static final int EXIT_USAGE = CommandLine.EXIT_USAGE;

  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

  private final Program program;
  private final Function<Optional<Path>, C> load;
  private final BiFunction<Vertx, C, Future<? extends RunningService>> start;
  private VertxOptions vertxOptions = new VertxOptions();
  private Duration startTimeout = Duration.ofSeconds(60);
  private Duration stopTimeout = Duration.ofSeconds(20);

  private Launcher(Program program, Function<Optional<Path>, C> load,
      BiFunction<Vertx, C, Future<? extends RunningService>> start) {
    this.program = program;
    this.load = load;
    this.start = start;
  }

  /** {@code load} reads the configuration from the optional file (and the environment). */
  public static <C> Launcher<C> of(Program program, Function<Optional<Path>, C> load,
      BiFunction<Vertx, C, Future<? extends RunningService>> start) {
    return new Launcher<>(program, load, start);
  }

  public Launcher<C> vertxOptions(VertxOptions options) {
    this.vertxOptions = options;
    return this;
  }

  public Launcher<C> startTimeout(Duration timeout) {
    this.startTimeout = timeout;
    return this;
  }

  /** How long the stop (service and Vert.x) may take before the JVM goes anyway. */
  public Launcher<C> stopTimeout(Duration timeout) {
    this.stopTimeout = timeout;
    return this;
  }

  /**
   * {@link #run(String[], PrintStream, PrintStream)} on the standard streams; exits the JVM with
   * its code when that is not 0.
   */
  public void run(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != CommandLine.EXIT_OK) {
      System.exit(code);
    }
  }

  /**
   * Parses the command line; for {@code --help}, {@code --version} or a usage or configuration
   * error returns the exit code before anything started. Otherwise starts the service and holds
   * the calling thread until it has stopped (so the JVM lives as long as the service, whatever
   * threads it has) and returns 0, or {@value #EXIT_START_FAILED} when it could not start.
   */
  public int run(String[] args, PrintStream out, PrintStream err) {
    String name = program.name();
    C config;
    Loaded<C> loaded = CommandLine.load(program, args, load, out, err);
    if (loaded instanceof Loaded.Exit<C> exit) {
      return exit.code();
    }
    config = ((Loaded.Config<C>) loaded).config();
    Vertx vertx = Vertx.vertx(vertxOptions);
    RunningService running;
    try {
      // Waited for here, on the main thread: exiting from a callback would block an event loop
      // that the shutdown's vertx.close() needs.
      running = start.apply(vertx, config).await(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.error("{} did not start: {}", name, e.getMessage(), e);
      close(vertx.close(), "closing Vert.x");
      flushLogging();
      return EXIT_START_FAILED;
    }
    LOG.info("{} started{}", name, running.port() < 0 ? "" : " on port " + running.port());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop(vertx, running);
      stopped.countDown();
    }, name + "-shutdown"));
    awaitUninterruptibly(stopped);
    return CommandLine.EXIT_OK;
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (latch.getCount() > 0) {
      try {
        latch.await();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void stop(Vertx vertx, RunningService running) {
    LOG.info("{} stopping", program.name());
    Future<Void> stopped = running.stop()
        .recover(e -> {
          LOG.warn("{}: unclean stop: {}", program.name(), e.toString());
          return Future.succeededFuture();
        })
        .eventually(vertx::close);
    if (close(stopped, "stopping")) {
      LOG.info("{} stopped", program.name());
    }
    flushLogging();
  }

  private boolean close(Future<?> future, String what) {
    try {
      future.await(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      LOG.warn("{}: {} did not finish within {} ms: {}", program.name(), what, stopTimeout.toMillis(), e.toString());
      return false;
    }
  }

  /** Stops Logback (flushing its asynchronous appenders) when it is the logging back end. */
  private static void flushLogging() {
    if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
      context.stop();
    }
  }
}
