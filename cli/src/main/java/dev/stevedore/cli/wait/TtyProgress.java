package dev.stevedore.cli.wait;

import dev.stevedore.cli.api.Deployment;
import dev.stevedore.cli.api.Deployment.HostRun;
import dev.stevedore.cli.api.Deployment.Step;
import dev.stevedore.cli.out.Safe;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * For a terminal: one line per host, redrawn in place as its steps arrive
 * ({@code web-1  running    pull ✓  up ✓  health-check …}). Only our own escape sequences reach the
 * terminal (cursor up, clear line); every server value is escaped and lines are cut to the width.
 */
public final class TtyProgress implements Progress {
  private static final String CLEAR_LINE = "\u001b[2K\r";
  private final PrintWriter out;
  private final int width;
  private List<String> drawn = List.of();

  public TtyProgress(PrintWriter out, int width) {
    this.out = out;
    this.width = Math.max(20, width);
  }

  @Override
  public void update(Deployment d) {
    List<String> lines = new ArrayList<>();
    int hostWidth = d.hosts().stream().mapToInt(h -> Safe.cell(h.host()).length()).max().orElse(0);
    for (HostRun h : d.hosts()) {
      lines.add(cut(line(h, hostWidth)));
    }
    if (lines.equals(drawn)) {
      return;
    }
    if (!drawn.isEmpty()) {
      out.print("\u001b[" + drawn.size() + "A");
    }
    for (String line : lines) {
      out.print(CLEAR_LINE + line + "\n");
    }
    drawn = List.copyOf(lines);
    out.flush();
  }

  static String line(HostRun h, int hostWidth) {
    StringBuilder b = new StringBuilder();
    String host = Safe.cell(h.host());
    b.append(host).append(" ".repeat(Math.max(0, hostWidth - host.length()) + 2));
    String status = Safe.cell(h.status());
    b.append(status).append(" ".repeat(Math.max(1, 12 - status.length())));
    for (Step s : h.steps()) {
      b.append(Safe.cell(s.name())).append(' ').append(Boolean.FALSE.equals(s.ok()) ? "✗" : "✓").append("  ");
    }
    if ("running".equals(h.status()) || h.status() == null) {
      b.append('…');
    }
    b.append(Steps.outcomeDetail(h));
    return b.toString().stripTrailing();
  }

  private String cut(String line) {
    return line.codePointCount(0, line.length()) <= width ? line
        : line.substring(0, line.offsetByCodePoints(0, width - 1)) + "…";
  }

  @Override
  public void note(String text) {
    out.println(Safe.text(text));
    out.flush();
    drawn = List.of();
  }
}
