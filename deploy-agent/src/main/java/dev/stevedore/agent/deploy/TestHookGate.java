package dev.stevedore.agent.deploy;

import dev.stevedore.agent.config.TestHooks;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test-only {@link StepGate} (see {@link TestHooks}): at the configured point it writes the marker
 * file {@code paused-at} and waits, so a test can kill the agent exactly there.
 */
public final class TestHookGate implements StepGate {
  private static final Logger LOG = LoggerFactory.getLogger(TestHookGate.class);

  private final Vertx vertx;
  private final TestHooks hooks;
  private final Path directory;

  private TestHookGate(Vertx vertx, TestHooks hooks, Path directory) {
    this.vertx = vertx;
    this.hooks = hooks;
    this.directory = directory;
  }

  /** The gate for {@code hooks}: {@link StepGate#OPEN} unless a pause point is configured. */
  public static StepGate of(Vertx vertx, TestHooks hooks, Path stateDirectory) {
    return hooks.pauseAt() == null ? StepGate.OPEN : new TestHookGate(vertx, hooks, stateDirectory);
  }

  @Override
  public Future<Void> pass(String when, String step) {
    if (!hooks.pausesAt(when, step)) {
      return Future.succeededFuture();
    }
    LOG.warn("test hook: pausing {}:{} for {}", when, step, hooks.pauseFor());
    Promise<Void> promise = Promise.promise();
    // Written aside and renamed: a test polling for the marker never reads it half written.
    vertx.executeBlocking(() -> Files.move(
            Files.writeString(directory.resolve("paused-at.tmp"), when + ":" + step, StandardCharsets.UTF_8),
            directory.resolve("paused-at"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING))
        .onComplete(ar -> vertx.setTimer(hooks.pauseFor().toMillis(), id -> promise.complete()));
    return promise.future();
  }
}
