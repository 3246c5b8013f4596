package dev.stevedore.agent.push;

import dev.stevedore.agent.deploy.EventSink;
import dev.stevedore.common.event.AgentEvent;
import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRolledBack;
import dev.stevedore.common.event.DeploySkipped;
import dev.stevedore.common.event.DeployStarted;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.Outcome;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventSink} in front of the agent's own (the outbox): every event still goes to the
 * outbox; the events of push deploys are also written, one line each, to the push's progress file
 * ({@link PushFiles}), which the waiting {@code stevedore-agent deploy} streams to its caller. Lines
 * are written once the state (and with it the events) is on disk, so an {@code exit} line never
 * announces an outcome a crash could still lose. Confined to the agent's event loop.
 */
public final class PushProgress implements EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(PushProgress.class);

  private record Line(String deploymentId, String text) {}

  private final EventSink delegate;
  private final WorkerExecutor worker;
  private final PushFiles files;
  private final Set<String> tracked = new HashSet<>();
  private List<Line> pending = new ArrayList<>();

  public PushProgress(EventSink delegate, WorkerExecutor worker, PushFiles files) {
    this.delegate = delegate;
    this.worker = worker;
    this.files = files;
  }

  /** From now on the events of {@code deploymentId} are written to its progress file. */
  void track(String deploymentId) {
    tracked.add(deploymentId);
  }

  /** A line that is not an event (waiting, refused); written at once. */
  void note(String deploymentId, String text) {
    pending.add(new Line(deploymentId, text));
    flush();
  }

  /** Ends a push that produced no event (refused before it became a deployment). */
  void finish(String deploymentId, String text, PushExit exit) {
    pending.add(new Line(deploymentId, text));
    pending.add(new Line(deploymentId, PushFiles.EXIT_PREFIX + exit.code));
    tracked.remove(deploymentId);
    flush();
  }

  @Override
  public void emit(AgentEvent event, java.util.Map<String, String> extensions) {
    delegate.emit(event, extensions);
    if (!tracked.contains(event.deploymentId())) {
      return;
    }
    pending.add(new Line(event.deploymentId(), line(event)));
    if (event instanceof Outcome o) {
      pending.add(new Line(event.deploymentId(), PushFiles.EXIT_PREFIX + PushExit.of(o).code));
      tracked.remove(event.deploymentId());
    }
  }

  @Override
  public void saved() {
    delegate.saved();
    flush();
  }

  @Override
  public void hold() {
    delegate.hold();
  }

  @Override
  public void release() {
    delegate.release();
  }

  private void flush() {
    if (pending.isEmpty()) {
      return;
    }
    List<Line> batch = pending;
    pending = new ArrayList<>();
    worker.executeBlocking(() -> {
      for (Line l : batch) {
        files.append(l.deploymentId(), l.text());
      }
      return null;
    }, true).onFailure(e -> LOG.warn("cannot write push progress: {}", e.toString()));
  }

  /** One human line per event, as the push client shows it. */
  static String line(AgentEvent e) {
    if (e instanceof DeployStarted s) {
      return "started deployment " + s.deploymentId() + ": " + s.service() + " "
          + (s.fromVersion() == null ? "(nothing recorded)" : s.fromVersion()) + " -> " + s.toVersion()
          + " on " + s.host() + (s.strategy() == null ? "" : " (strategy " + s.strategy() + ")");
    }
    if (e instanceof DeployStep s) {
      String detail = s.ok() ? "" : lastLine(s.outputTail());
      return "step " + s.step() + " " + (s.ok() ? "ok" : "FAILED") + " in " + s.durationMs() + " ms"
          + (s.exitCode() == null || s.ok() ? "" : " (exit " + s.exitCode() + ")") + (detail.isEmpty() ? "" : ": " + detail);
    }
    if (e instanceof DeploySucceeded s) {
      return "succeeded: " + s.service() + " runs " + s.version() + (s.digest() == null ? "" : " (" + s.digest() + ")")
          + " after " + s.durationMs() + " ms";
    }
    if (e instanceof DeployFailed f) {
      return "failed at " + f.step() + ": " + f.reason();
    }
    if (e instanceof DeployRolledBack r) {
      return "rolled back to " + r.restoredVersion() + " (healthy: " + r.restoredHealthy() + ") after " + r.failedStep() + " failed: "
          + r.reason();
    }
    if (e instanceof DeploySkipped s) {
      return "skipped: " + s.reason();
    }
    return e.type().typeName();
  }

  private static String lastLine(String s) {
    if (s == null) {
      return "";
    }
    String[] lines = s.strip().split("\n");
    String last = lines.length == 0 ? "" : lines[lines.length - 1];
    return PushRequest.sanitize(last);
  }
}
