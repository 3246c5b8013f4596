package dev.stevedore.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      if (dir != null) {
        builder.directory(dir.toFile());
      }
      builder.environment().putAll(env);
      Process process = builder.start();
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        return new Result(-1, "timed out after " + timeout);
      }
      return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
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
