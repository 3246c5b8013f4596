package dev.stevedore.agent.process;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs processes with {@link ProcessBuilder} on a worker pool: argument lists only, an allow-listed
 * environment ({@link ChildEnvironment}) plus the command's own variables, stdin from
 * {@code /dev/null} or from a private temporary file holding the command's input, stdout and stderr
 * merged into a private temporary file (a pipe would keep the step waiting for as long as any
 * background child holds it open) of which the tail is kept.
 *
 * <p>Hooks and restart commands lead a session of their own ({@link Sessions}). When the timeout passes, the
 * whole session is killed, children that daemonized included (for {@link Command#inOwnSession()}
 * commands, the operator's hooks and restart commands; the agent's own docker, compose and git
 * commands lose only their process and its descendants). What a step leaves running after it
 * exited is not swept.
 */
public final class ProcessRunner implements CommandRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessRunner.class);
  /** Output kept per process (the tail); the events carry at most 16 KiB of it. */
  static final int MAX_OUTPUT = 64 * 1024;
  /** How long killing a step's processes may take before the step is reported anyway. */
  static final long KILL_WITHIN_MS = 5_000;
  private static final File NO_INPUT = new File("/dev/null");

  private final WorkerExecutor workers;
  private final Map<String, String> inherited;
  private final Sessions sessions;

  /** The wait and the kill run on {@code workers}; {@code vertx} is not needed for that (no event-loop timer). */
  public ProcessRunner(Vertx vertx, WorkerExecutor workers) {
    this(workers, ChildEnvironment.inherited(System.getenv()), Sessions.detect(System.getenv("PATH")));
  }

  ProcessRunner(WorkerExecutor workers, Map<String, String> inherited, Sessions sessions) {
    this.workers = workers;
    this.inherited = Map.copyOf(inherited);
    this.sessions = sessions;
  }

  @Override
  public Future<ProcessResult> run(Command command) {
    return workers.executeBlocking(() -> runBlocking(command), false);
  }

  private ProcessResult runBlocking(Command command) {
    long start = System.nanoTime();
    Path out = null;
    Path err = null;
    Path in = null;
    try {
      out = Files.createTempFile("stevedore-step-", ".out");   // mode 0600
      if (command.stdoutOnly()) {
        err = Files.createTempFile("stevedore-step-", ".err");
      }
      if (command.input() != null) {
        in = Files.createTempFile("stevedore-step-", ".in");
        Files.writeString(in, command.input(), StandardCharsets.UTF_8);
      }
      return runBlocking(command, in, out, err, start);
    } catch (IOException e) {
      return new ProcessResult(-1, "cannot create the input or output file: " + e.getMessage(), elapsed(start), false);
    } finally {
      delete(out);
      delete(err);
      delete(in);
    }
  }

  private ProcessResult runBlocking(Command command, Path in, Path out, Path err, long start) {
    Sessions sessions = command.isolated() ? this.sessions : Sessions.none();
    Map<String, String> environment = new java.util.HashMap<>(inherited);
    environment.putAll(command.environment());
    String missing = missingProgram(command, environment.get("PATH"));
    if (missing != null) {
      return new ProcessResult(-1, "cannot start " + command.args().get(0) + ": " + missing, elapsed(start), false);
    }
    ProcessBuilder builder = new ProcessBuilder(sessions.wrap(located(command, environment.get("PATH"))))
        .redirectErrorStream(err == null)
        .redirectOutput(out.toFile())
        .redirectInput(in == null ? NO_INPUT : in.toFile());
    if (err != null) {
      builder.redirectError(err.toFile());
    }
    if (command.workingDirectory() != null) {
      builder.directory(command.workingDirectory().toFile());
    }
    builder.environment().clear();
    builder.environment().putAll(environment);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      return new ProcessResult(-1, "cannot start " + command.args().get(0) + ": " + e.getMessage(), elapsed(start), false);
    }
    boolean timedOut = false;
    boolean interrupted = false;
    try {
      timedOut = !process.waitFor(Math.max(1, command.timeout().toMillis()), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (timedOut) {
      LOG.warn("{} did not finish within {}; killing its session", command.display(), command.timeout());
    }
    // On a timeout the step and every process of its session. After a normal exit nothing is
    // swept: a scan of /proc costs 20-50 ms on a small VM, on every docker command of a deploy
    // (measured: `true` 2 -> 38-53 ms p50, `docker ps` 17-30 -> 76-99 ms), and what a step leaves
    // running after it exited no longer holds the step (its output goes to a file).
    if (timedOut || interrupted) {
      Set<Long> left = sessions.killAll(process, KILL_WITHIN_MS);
      if (!left.isEmpty()) {
        LOG.warn("{}: processes {} of its session survived SIGKILL for {} ms", command.display(), left, KILL_WITHIN_MS);
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    String output = readTail(out);
    int exit = process.isAlive() || timedOut || interrupted ? -1 : process.exitValue();
    if (err != null && exit != 0) {
      output = output + readTail(err);
    }
    if (timedOut) {
      output = output + "\n[stevedore] killed after " + command.timeout().toMillis() + " ms";
    } else if (interrupted) {
      output = output + "\n[stevedore] interrupted";
    }
    return new ProcessResult(exit, output, elapsed(start), timedOut);
  }

  /**
   * The argument list with a bare program name replaced by the file found on the child's
   * {@code PATH}: {@link ProcessBuilder} would search the agent's own {@code PATH}, not the one a
   * command sets.
   */
  static List<String> located(Command command, String path) {
    String program = command.args().get(0);
    if (program.contains("/") || path == null) {
      return command.args();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, program);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) {
        List<String> out = new java.util.ArrayList<>(command.args());
        out.set(0, p.toAbsolutePath().toString());
        return out;
      }
    }
    return command.args();
  }

  /**
   * Why the program cannot be started, or null. Checked here because {@code setsid} would start
   * and then fail to run it, which would look like a program that ran and exited.
   */
  static String missingProgram(Command command, String path) {
    String program = command.args().get(0);
    if (program.contains("/")) {
      Path p = Path.of(program);
      if (!p.isAbsolute() && command.workingDirectory() != null) {
        p = command.workingDirectory().resolve(p);
      }
      return Files.isExecutable(p) && !Files.isDirectory(p) ? null : "no executable file " + p;
    }
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        Path p = Path.of(dir.isEmpty() ? "." : dir, program);
        if (Files.isExecutable(p) && !Files.isDirectory(p)) {
          return null;
        }
      }
    }
    return "not found on PATH";
  }

  private static void delete(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", file, e.getMessage());
    }
  }

  /** The last {@link #MAX_OUTPUT} bytes of the output file. */
  private static String readTail(Path file) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long length = f.length();
      int n = (int) Math.min(length, MAX_OUTPUT);
      byte[] bytes = new byte[n];
      f.seek(length - n);
      f.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "output unreadable: " + e.getMessage();
    }
  }

  private static long elapsed(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}
