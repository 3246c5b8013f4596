package dev.stevedore.cli.wait;

import dev.stevedore.cli.api.Deployment;
import dev.stevedore.cli.api.DeploymentStatus;
import dev.stevedore.cli.api.Deployment.HostRun;
import dev.stevedore.cli.api.Deployment.Step;
import dev.stevedore.cli.out.Safe;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;

/**
 * For logs and pipes: a line per step as it appears ({@code web-1 step pull ok 120ms}) and a line
 * per host outcome; nothing is ever printed twice.
 */
public final class PlainProgress implements Progress {
  private final PrintWriter out;
  private final Map<String, Integer> stepsShown = new HashMap<>();
  private final Map<String, String> statusShown = new HashMap<>();

  public PlainProgress(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void update(Deployment d) {
    for (HostRun h : d.hosts()) {
      String host = Safe.cell(h.host());
      boolean changed = h.status() != null && !h.status().equals(statusShown.get(h.host()));
      boolean outcome = DeploymentStatus.of(h.status()).finished();
      if (changed && !outcome) {
        out.println(host + " " + Safe.cell(h.status()));
      }
      int shown = stepsShown.getOrDefault(h.host(), 0);
      for (int i = shown; i < h.steps().size(); i++) {
        Step s = h.steps().get(i);
        out.println(host + " step " + Safe.cell(s.name()) + " " + Steps.word(s)
            + (s.durationMs() == null ? "" : " " + s.durationMs() + "ms")
            + (s.exitCode() == null || s.exitCode() == 0 ? "" : " exit " + s.exitCode()));
      }
      stepsShown.put(h.host(), h.steps().size());
      if (changed && outcome) {
        out.println(host + " " + Safe.cell(h.status()) + Steps.outcomeDetail(h));
      }
      if (changed) {
        statusShown.put(h.host(), h.status());
      }
    }
    out.flush();
  }

  @Override
  public void note(String text) {
    out.println(Safe.text(text));
    out.flush();
  }
}
