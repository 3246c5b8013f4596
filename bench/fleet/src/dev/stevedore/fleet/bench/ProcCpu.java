package dev.stevedore.fleet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** CPU time (user + system, in clock ticks of 10 ms) of a process and its descendants, from /proc. */
final class ProcCpu {
  private static final double TICK_MS = 10.0; // CLK_TCK 100 on Linux

  private ProcCpu() {}

  /** Milliseconds of CPU the process tree rooted at {@code pid} has used so far. */
  static double millis(long pid) {
    long ticks = 0;
    List<Long> pending = new ArrayList<>(List.of(pid));
    while (!pending.isEmpty()) {
      long p = pending.remove(pending.size() - 1);
      ticks += ticks(p);
      pending.addAll(children(p));
    }
    return ticks * TICK_MS;
  }

  private static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      // Fields after the command (which may hold spaces) start after the last ')'.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static List<Long> children(long pid) {
    List<Long> out = new ArrayList<>();
    try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String text = Files.readString(task.resolve("children")).trim();
        if (!text.isEmpty()) {
          for (String c : text.split("\\s+")) {
            out.add(Long.parseLong(c));
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return out;
  }

  /** The 1, 5 and 15 minute load averages, as /proc/loadavg has them. */
  static String loadAverage() {
    try {
      String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (java.io.IOException e) {
      return "?";
    }
  }
}
