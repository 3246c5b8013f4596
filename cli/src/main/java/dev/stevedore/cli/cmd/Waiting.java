package dev.stevedore.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.StevedoreCommand;
import dev.stevedore.cli.api.Deployment;
import dev.stevedore.cli.http.Api;
import dev.stevedore.cli.out.Printer;
import dev.stevedore.cli.out.Safe;
import dev.stevedore.cli.wait.AuditDeployments;
import dev.stevedore.cli.wait.DeploymentWatch;
import dev.stevedore.cli.wait.PlainProgress;
import dev.stevedore.cli.wait.Progress;
import dev.stevedore.cli.wait.TtyProgress;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --wait}, {@code --timeout}, {@code --progress} and what they do, shared by deploy and rollback. */
final class Waiting {
  /** How progress is drawn. */
  enum Mode { AUTO, TTY, PLAIN }

  @Option(names = "--wait", description = "Wait until every host reported an outcome; the exit code is the outcome.")
  boolean wait;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
      converter = StevedoreCommand.DurationConverter.class,
      description = "How long --wait waits (default: ${DEFAULT-VALUE}); then exit 4, the deployment goes on.")
  Duration timeout;

  @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
      description = "auto (a line per host redrawn on a terminal, else plain lines), tty or plain.")
  Mode progress;

  @Option(names = "--poll-interval", paramLabel = "DURATION", defaultValue = "1s", hidden = true,
      converter = StevedoreCommand.DurationConverter.class)
  Duration interval;

  /** Waits for {@code deploymentId} and says how it ended; the exit code is the outcome. */
  ExitCode await(StevedoreCommand root, String deploymentId) {
    Printer printer = root.printer();
    // With -o json/yaml, stdout carries only the data; progress goes to stderr.
    PrintWriter progressOut = printer.table() ? printer.out() : printer.err();
    Progress view = tty(root) ? new TtyProgress(progressOut, columns(root)) : new PlainProgress(progressOut);
    Api audit = root.audit();
    view.note("waiting for " + deploymentId + " (up to " + Safe.text(timeout.toString().substring(2).toLowerCase()) + ")");
    DeploymentWatch.Result result = new DeploymentWatch(new AuditDeployments(audit), Clock.systemUTC(),
        d -> Thread.sleep(d.toMillis()), interval).await(deploymentId, timeout, view);
    if (printer.table()) {
      printer.line(summary(deploymentId, result));
    } else {
      JsonNode raw = audit.find("/api/v1/deployments/" + Api.segment(deploymentId)).orElse(null);
      if (raw != null) {
        printer.print(raw, null, null);
      }
      printer.warn(summary(deploymentId, result));
    }
    return result.exitCode();
  }

  static String summary(String id, DeploymentWatch.Result result) {
    if (result.timedOut()) {
      return "deployment " + id + " did not finish in time (last status: "
          + result.deployment().map(Deployment::status).orElse("not stored yet") + "); it may still finish";
    }
    Deployment d = result.deployment().orElseThrow();
    return "deployment " + id + " " + d.status() + " on " + d.hosts().size() + " host(s): "
        + d.service() + " " + d.version() + " in " + d.environment();
  }

  private boolean tty(StevedoreCommand root) {
    return switch (progress) {
      case TTY -> true;
      case PLAIN -> false;
      case AUTO -> System.console() != null && !"dumb".equals(root.env().get("TERM"));
    };
  }

  private static int columns(StevedoreCommand root) {
    try {
      return Integer.parseInt(root.env().getOrDefault("COLUMNS", "120"));
    } catch (NumberFormatException e) {
      return 120;
    }
  }
}
