package dev.stevedore.agent.process;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A step runs in its own session: started through {@code setsid --wait} (an argument-list prefix,
 * never a shell string), so its pid is the session id, and every process it starts stays in that
 * session unless it calls {@code setsid} itself. A daemonized child is re-parented to init and
 * drops out of {@link ProcessHandle#descendants()}, but not out of the session; so ending a step
 * means killing every process whose session id (read from {@code /proc/<pid>/stat}) is the step's
 * pid, until none is left.
 *
 * <p>Where there is no {@code /proc} or no {@code setsid} (a developer's macOS), steps run without
 * the prefix and only the process and its live descendants are killed.
 */
final class Sessions {
  private static final Path PROC = Path.of("/proc");

  private final List<String> prefix;
  private final long ownSession;

  private Sessions(List<String> prefix, long ownSession) {
    this.prefix = List.copyOf(prefix);
    this.ownSession = ownSession;
  }

  /** Sessions when this host has {@code /proc} and a {@code setsid} on {@code PATH}, else descendants only. */
  static Sessions detect(String path) {
    OptionalLong own = sessionOf(ProcessHandle.current().pid());
    Optional<Path> setsid = onPath("setsid", path);
    if (own.isEmpty() || setsid.isEmpty()) {
      return new Sessions(List.of(), -1);
    }
    return new Sessions(List.of(setsid.get().toString(), "--wait"), own.getAsLong());
  }

  /** Descendants only: no prefix, no session scan. */
  static Sessions none() {
    return new Sessions(List.of(), -1);
  }

  boolean enabled() {
    return !prefix.isEmpty();
  }

  /** The argument list that starts {@code args} as the leader of a new session. */
  List<String> wrap(List<String> args) {
    if (prefix.isEmpty()) {
      return args;
    }
    List<String> out = new ArrayList<>(prefix);
    out.addAll(args);
    return out;
  }

  /**
   * Kills {@code process}, its live descendants and every process of its session (when sessions
   * are enabled), scanning again until none is left or {@code within} has passed. Runs on a worker
   * thread. Returns the pids it could not end (empty when all are gone).
   */
  Set<Long> killAll(Process process, long withinMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMillis);
    while (true) {
      List<ProcessHandle> targets = new ArrayList<>();
      if (process.isAlive()) {
        targets.add(process.toHandle());
      }
      process.descendants().forEach(targets::add);
      for (long pid : members(process.pid())) {
        ProcessHandle.of(pid).ifPresent(targets::add);
      }
      targets.forEach(ProcessHandle::destroyForcibly);
      try {
        // our own child is reaped by the JVM; the others are checked through /proc (a zombie counts as gone)
        process.waitFor(50, TimeUnit.MILLISECONDS);
        Set<Long> left = new HashSet<>(members(process.pid()));
        if (process.isAlive()) {
          left.add(process.pid());
        }
        if (left.isEmpty() || System.nanoTime() >= deadline) {
          return left;
        }
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return members(process.pid());
      }
    }
  }

  /** Live pids whose session id is {@code session} (never the agent's own session). */
  Set<Long> members(long session) {
    Set<Long> out = new HashSet<>();
    if (!enabled() || session == ownSession || session <= 1) {
      return out;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path dir : dirs) {
        long pid;
        try {
          pid = Long.parseLong(dir.getFileName().toString());
        } catch (NumberFormatException e) {
          continue;
        }
        OptionalLong sid = sessionOf(pid);
        if (sid.isPresent() && sid.getAsLong() == session && pid != ProcessHandle.current().pid()) {
          out.add(pid);
        }
      }
    } catch (IOException e) {
      // /proc vanished: nothing more can be found
    }
    return out;
  }

  /** The session id of {@code pid} from {@code /proc/<pid>/stat} (empty when it is gone or a zombie's stat is unreadable). */
  static OptionalLong sessionOf(long pid) {
    try {
      return sessionFromStat(Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * Field 6 of a {@code stat} line: {@code pid (comm) state ppid pgrp session ...}. The command
   * name may hold spaces and parentheses, so fields are counted after the last {@code ')'}.
   * A zombie (state {@code Z}) counts as gone.
   */
  static OptionalLong sessionFromStat(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return OptionalLong.empty();
    }
    String[] f = stat.substring(close + 1).trim().split("\\s+");
    if (f.length < 4 || f[0].equals("Z") || f[0].equals("X")) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(f[3]));
  }

  private static Optional<Path> onPath(String program, String path) {
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
