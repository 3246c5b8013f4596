package dev.stevedore.cli.wait;

import dev.stevedore.cli.CliException;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.api.Deployment;
import dev.stevedore.cli.api.DeploymentStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Waits for a deployment to finish, showing each change: asks the {@link DeploymentSource} every
 * {@code interval} until the status is final or {@code timeout} passed. An unreachable or busy
 * source is retried until the deadline (the deployment goes on without us); any other refusal
 * (401, 403) ends the wait at once.
 */
public final class DeploymentWatch {
  /** The result: the last state seen (empty if none) and the exit code it means. */
  public record Result(Optional<Deployment> deployment, ExitCode exitCode, boolean timedOut) {}

  /** A pause between polls; a seam for tests. */
  @FunctionalInterface
  public interface Pause {
    void sleep(Duration d) throws InterruptedException;
  }

  private final DeploymentSource source;
  private final Clock clock;
  private final Pause pause;
  private final Duration interval;

  public DeploymentWatch(DeploymentSource source, Clock clock, Pause pause, Duration interval) {
    this.source = source;
    this.clock = clock;
    this.pause = pause;
    this.interval = interval;
  }

  public Result await(String deploymentId, Duration timeout, Progress progress) {
    Instant deadline = clock.instant().plus(timeout);
    Deployment last = null;
    boolean warned = false;
    while (true) {
      try {
        Optional<Deployment> now = source.fetch(deploymentId);
        if (now.isPresent() && !now.get().equals(last)) {
          last = now.get();
          progress.update(last);
        }
        if (last != null && last.finished()) {
          return new Result(Optional.of(last), DeploymentStatus.of(last.status()).exitCode(), false);
        }
      } catch (CliException e) {
        if (e.exitCode() != ExitCode.UNREACHABLE && e.exitCode() != ExitCode.BUSY) {
          throw e;
        }
        if (!warned) {
          progress.note("still waiting: " + e.getMessage());
          warned = true;
        }
      }
      if (!clock.instant().isBefore(deadline)) {
        return new Result(Optional.ofNullable(last), ExitCode.TIMEOUT, true);
      }
      try {
        pause.sleep(interval);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Result(Optional.ofNullable(last), ExitCode.TIMEOUT, true);
      }
    }
  }
}
