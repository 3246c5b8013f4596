package dev.stevedore.cli.wait;

import dev.stevedore.cli.api.Deployment.HostRun;
import dev.stevedore.cli.api.Deployment.Step;
import dev.stevedore.cli.out.Safe;

/** Words shared by both progress views. */
final class Steps {
  private Steps() {}

  static String word(Step s) {
    return s.ok() == null ? "done" : s.ok() ? "ok" : "failed";
  }

  /** After a host's outcome: versions and, for a failure, the step and reason (escaped). */
  static String outcomeDetail(HostRun h) {
    if (h.status() == null) {
      return "";
    }
    return switch (h.status()) {
      case "succeeded" -> " (" + Safe.cell(h.fromVersion()) + " -> " + Safe.cell(h.version()) + ")";
      case "failed", "rolled-back" -> " at " + Safe.cell(h.failedStep())
          + (h.reason() == null ? "" : ": " + Safe.cell(h.reason()))
          + (h.runningVersion() == null ? "" : " (runs " + Safe.cell(h.runningVersion()) + ")");
      case "skipped" -> h.reason() == null ? "" : ": " + Safe.cell(h.reason());
      default -> "";
    };
  }
}
