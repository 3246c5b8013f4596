package dev.stevedore.agent.process;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs processes with {@link ProcessBuilder} on a worker pool: argument lists only, stdout and
 * stderr merged and kept as a bounded tail, killed (with its children) when the timeout passes.
 * The wait happens on a worker thread; the timeout is a Vert.x timer.
 */
public final class ProcessRunner implements CommandRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessRunner.class);
  /** Output kept per process (the tail); the events carry at most 16 KiB of it. */
  static final int MAX_OUTPUT = 64 * 1024;

  private final Vertx vertx;
  private final WorkerExecutor workers;

  public ProcessRunner(Vertx vertx, WorkerExecutor workers) {
    this.vertx = vertx;
    this.workers = workers;
  }

  @Override
  public Future<ProcessResult> run(Command command) {
    return workers.executeBlocking(() -> runBlocking(command), false);
  }

  private ProcessResult runBlocking(Command command) {
    long start = System.nanoTime();
    ProcessBuilder builder = new ProcessBuilder(command.args()).redirectErrorStream(true);
    if (command.workingDirectory() != null) {
      builder.directory(command.workingDirectory().toFile());
    }
    builder.environment().putAll(command.environment());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      return new ProcessResult(-1, "cannot start " + command.args().get(0) + ": " + e.getMessage(), elapsed(start), false);
    }
    try {
      process.getOutputStream().close();
    } catch (IOException ignored) {
      // stdin is not used
    }
    AtomicBoolean timedOut = new AtomicBoolean();
    long timer = vertx.setTimer(Math.max(1, command.timeout().toMillis()), id -> {
      timedOut.set(true);
      LOG.warn("{} did not finish within {}; killing it", command.display(), command.timeout());
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    });
    String output;
    try {
      output = readTail(process.getInputStream());
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      output = "output unreadable: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      output = "interrupted";
    } finally {
      vertx.cancelTimer(timer);
    }
    int exit = process.isAlive() ? -1 : process.exitValue();
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    if (timedOut.get()) {
      output = output + "\n[stevedore] killed after " + command.timeout().toMillis() + " ms";
      exit = -1;
    }
    return new ProcessResult(exit, output, elapsed(start), timedOut.get());
  }

  private static String readTail(InputStream in) throws IOException {
    byte[] ring = new byte[MAX_OUTPUT];
    long total = 0;
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) >= 0) {
      for (int i = 0; i < n; i++) {
        ring[(int) ((total + i) % MAX_OUTPUT)] = buf[i];
      }
      total += n;
    }
    if (total <= MAX_OUTPUT) {
      return new String(ring, 0, (int) total, StandardCharsets.UTF_8);
    }
    int from = (int) (total % MAX_OUTPUT);
    byte[] out = new byte[MAX_OUTPUT];
    System.arraycopy(ring, from, out, 0, MAX_OUTPUT - from);
    System.arraycopy(ring, 0, out, MAX_OUTPUT - from, from);
    return new String(out, StandardCharsets.UTF_8);
  }

  private static long elapsed(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}
