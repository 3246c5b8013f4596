package dev.stevedore.agent.driver;

import dev.stevedore.agent.process.Command;
import dev.stevedore.agent.process.CommandRunner;
import dev.stevedore.agent.process.ProcessResult;
import dev.stevedore.common.resilience.VertxCircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Runs docker and compose commands behind the {@code docker} circuit breaker. Only failures that
 * say the daemon cannot be reached count against it; while it is open, commands fail at once with
 * a result that says so.
 */
public final class Docker {
  private static final Pattern DAEMON_DOWN = Pattern.compile(
      "cannot connect to the docker daemon|couldn't connect to docker daemon|is the docker daemon running"
          + "|error during connect|docker\\.sock: connect"
          // compose v1 (docker-py) when the socket is gone
          + "|error while fetching server api version");

  private static final String BREAKER_OPEN = "docker daemon circuit breaker is open";

  private final CommandRunner runner;
  private final CircuitBreaker breaker;

  public Docker(CommandRunner runner, CircuitBreaker breaker) {
    this.runner = runner;
    this.breaker = breaker;
  }

  public Future<ProcessResult> run(Command command) {
    return VertxCircuitBreaker.guard(breaker, () -> runner.run(command).compose(r ->
            !r.ok() && daemonUnreachable(r.output()) ? Future.failedFuture(new DaemonUnreachable(r)) : Future.succeededFuture(r)))
        .recover(e -> {
          if (e instanceof DaemonUnreachable d) {
            return Future.succeededFuture(d.result);
          }
          if (VertxCircuitBreaker.isOpen(e)) {
            return Future.succeededFuture(new ProcessResult(-1,
                BREAKER_OPEN + " (daemon unreachable recently): not run: " + command.display(), 0, false));
          }
          return Future.succeededFuture(new ProcessResult(-1, String.valueOf(e.getMessage()), 0, false));
        });
  }

  /** True when a command's result says the daemon could not be reached, or was not asked (breaker open). */
  public static boolean unavailable(ProcessResult r) {
    return !r.ok() && (daemonUnreachable(r.output()) || r.output().startsWith(BREAKER_OPEN));
  }

  public static boolean daemonUnreachable(String output) {
    return DAEMON_DOWN.matcher(output.toLowerCase(Locale.ROOT)).find();
  }

  private static final class DaemonUnreachable extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ProcessResult result;

    DaemonUnreachable(ProcessResult result) {
      super("docker daemon unreachable", null, false, false);
      this.result = result;
    }
  }
}
