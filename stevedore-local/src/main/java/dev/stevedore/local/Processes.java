package dev.stevedore.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs short commands of the launcher's own (argument lists, never a shell) and waits for them. */
final class Processes {
  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  private Processes() {}

  static Result run(Path dir, Map<String, String> env, Duration timeout, List<String> command) {
    Path output = null;
    try {
      // Output goes to a file, not a pipe read to its end first: reading would wait for a hung
      // command forever, and the timeout would never be looked at.
      output = Files.createTempFile("stevedore-local-", ".out");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(output.toFile());
      if (dir != null) {
        builder.directory(dir.toFile());
      }
      builder.environment().putAll(env);
      Process process = builder.start();
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        return new Result(-1, "timed out after " + timeout);
      }
      return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    } finally {
      if (output != null) {
        try {
          Files.deleteIfExists(output);
        } catch (IOException ignored) {
          // a temporary file left behind
        }
      }
    }
  }

  static Result run(Path dir, Duration timeout, String... command) {
    return run(dir, Map.of(), timeout, List.of(command));
  }

  static Result runOrThrow(Path dir, Duration timeout, String... command) {
    Result result = run(dir, timeout, command);
    if (!result.ok()) {
      throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exitCode() + "): "
          + result.output().strip());
    }
    return result;
  }
}
