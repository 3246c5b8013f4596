package dev.stevedore.agent.process;

import io.vertx.core.Future;

/** Runs a command off the event loop; the future always completes (a failure is data, see {@link ProcessResult}). */
public interface CommandRunner {
  Future<ProcessResult> run(Command command);
}
