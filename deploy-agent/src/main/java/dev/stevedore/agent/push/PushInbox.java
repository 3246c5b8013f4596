package dev.stevedore.agent.push;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.deploy.Admission;
import dev.stevedore.agent.deploy.Admission.Decision;
import dev.stevedore.agent.deploy.DeployJob;
import dev.stevedore.agent.deploy.Reconciler;
import dev.stevedore.agent.state.AgentState;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.Target;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes push deploys from the hand-over folder ({@link PushFiles}) into the same path as a
 * request from Kafka: {@link Admission} (with a request synthesised from the push: trigger
 * {@code push}, this host as the target), then the {@link Reconciler} (latest wins, one attempt
 * at a time per service: a push for a service whose deployment runs waits for it). Runs in the
 * agent daemon and in a one-shot process alike. Confined to the agent's event loop; the folder is
 * read on Vert.x's worker pool.
 */
public final class PushInbox {
  private static final Logger LOG = LoggerFactory.getLogger(PushInbox.class);
  static final long SCAN_MS = 250;
  /** Files of pushes nobody waits for any more (the client died) are removed after this. */
  static final Duration STALE = Duration.ofDays(1);

  private final Vertx vertx;
  private final AgentConfig config;
  private final Supplier<AgentState> state;
  private final Reconciler reconciler;
  private final PushProgress progress;
  private final PushFiles files;
  private final Clock clock;
  private long timer = -1;
  private boolean scanning;
  private boolean stopped;

  /** What one scan found: requests to take (or the reason one is unreadable) and cancellations. */
  private record Found(List<PushRequest> requests, Map<String, String> malformed, List<String> cancels) {}

  public PushInbox(Vertx vertx, AgentConfig config, Supplier<AgentState> state, Reconciler reconciler, PushProgress progress,
      PushFiles files, Clock clock) {
    this.vertx = vertx;
    this.config = config;
    this.state = state;
    this.reconciler = reconciler;
    this.progress = progress;
    this.files = files;
    this.clock = clock;
  }

  public void start() {
    timer = vertx.setPeriodic(1, SCAN_MS, id -> scan());
  }

  public void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void scan() {
    if (scanning || stopped) {
      return;
    }
    scanning = true;
    // the folder is read on Vert.x's worker pool, not the state worker: state writes never queue behind it
    vertx.executeBlocking(this::read, false)
        .compose(this::handle)
        .onComplete(ar -> {
          scanning = false;
          if (ar.failed()) {
            LOG.warn("push inbox: {}", ar.cause().toString());
          }
        });
  }

  private Found read() throws IOException {
    List<PushRequest> requests = new ArrayList<>();
    Map<String, String> malformed = new java.util.TreeMap<>();
    List<String> cancels = new ArrayList<>();
    if (!Files.isDirectory(files.dir())) {
      return new Found(requests, malformed, cancels);
    }
    long staleBefore = clock.millis() - STALE.toMillis();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(files.dir())) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String id = dot < 0 ? name : name.substring(0, dot);
        String kind = dot < 0 ? "" : name.substring(dot + 1);
        if (!PushRequest.ID.matcher(id).matches()) {
          continue;
        }
        if (kind.equals("request")) {
          try {
            PushRequest r = PushRequest.decode(Files.readAllBytes(p));
            if (!r.deploymentId().equals(id)) {
              throw new IllegalArgumentException("the file name does not match its deploymentId");
            }
            requests.add(r);
          } catch (IllegalArgumentException e) {
            malformed.put(id, e.getMessage());
            Files.deleteIfExists(p);
          }
        } else if (kind.equals("cancel")) {
          cancels.add(id);
          Files.deleteIfExists(p);
        } else if ((kind.equals("log") || kind.equals("taken"))
            && Files.getLastModifiedTime(p).compareTo(FileTime.fromMillis(staleBefore)) < 0) {
          Files.deleteIfExists(p);
        }
      }
    }
    requests.sort(java.util.Comparator.comparing(PushRequest::requestedAt));
    return new Found(requests, malformed, cancels);
  }

  private Future<Void> handle(Found found) {
    found.malformed().forEach((id, why) -> {
      LOG.warn("push {}: refused: {}", id, why);
      progress.finish(id, "refused: " + why, PushExit.USAGE);
    });
    Future<Void> chain = Future.succeededFuture();
    for (PushRequest r : found.requests()) {
      chain = chain.compose(v -> take(r)).compose(v -> vertx.executeBlocking(() -> {
        Path req = files.request(r.deploymentId());
        if (Files.exists(req)) {
          Files.move(req, files.taken(r.deploymentId()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return null;
      }, false));
    }
    for (String id : found.cancels()) {
      chain = chain.compose(v -> cancel(id));
    }
    return chain;
  }

  /** The push becomes the service's desired version (or is refused), like a request from Kafka. */
  Future<Void> take(PushRequest r) {
    String id = r.deploymentId();
    progress.track(id);
    DeployRequested request = synthesise(r);
    AgentState st = state.get();
    Decision decision = Admission.decide(request, config, st, reconciler.holds(id), clock.instant());
    DeployJob job = DeployJob.of(request, config.eventSource() + "/push");
    LOG.info("push {}: {} {} requested by {}: {}", id, r.service(), r.version(), r.requestedBy(),
        decision.getClass().getSimpleName());
    if (decision instanceof Decision.Ignore ignore) {
      progress.finish(id, "refused: " + ignore.why(), PushExit.REFUSED);
      return Future.succeededFuture();
    }
    if (decision instanceof Decision.Duplicate dup) {
      progress.finish(id, "refused: " + dup.why(), PushExit.REFUSED);
      return Future.succeededFuture();
    }
    if (decision instanceof Decision.Skip skip) {
      return reconciler.skip(job, skip.reason());
    }
    if (decision instanceof Decision.AlreadyRuns) {
      return reconciler.alreadyRuns(job);
    }
    AgentState.ServiceRecord record = st.services.get(r.service());
    if (reconciler.busy(r.service()) && record != null && record.intent != null) {
      progress.note(id, "waiting: deployment " + record.intent.deploymentId + " of " + r.service() + " (version "
          + record.intent.toVersion + ", step " + record.intent.step + ") runs on this host; this push starts when it "
          + "ends");
    }
    return reconciler.submit(job);
  }

  private Future<Void> cancel(String id) {
    for (Map.Entry<String, AgentState.ServiceRecord> e : state.get().services.entrySet()) {
      AgentState.Desired d = e.getValue().desired;
      if (d != null && d.deploymentId.equals(id)) {
        return reconciler.cancel(e.getKey(), id, "push withdrawn: it waited longer than its push.lockWait for another "
            + "deployment of " + e.getKey()).map(withdrawn -> {
          if (withdrawn) {
            LOG.warn("push {}: withdrawn after waiting longer than its push.lockWait", id);
          } else {
            progress.note(id, "cannot withdraw the push: its attempt has started and goes on");
          }
          return (Void) null;
        });
      }
    }
    return Future.succeededFuture();
  }

  /** The push as the request the agent's checks know: this host as the only target, trigger {@code push}. */
  DeployRequested synthesise(PushRequest r) {
    return new DeployRequested(UUID.nameUUIDFromBytes(("push/" + r.deploymentId()).getBytes(
        java.nio.charset.StandardCharsets.UTF_8)).toString(), config.eventSource() + "/push", r.requestedAt(),
        r.deploymentId(), r.service(), config.environment(), r.version(), null, null, null, r.requestedBy(), "push",
        null, new Target(config.environment(), List.of(config.hostId()), Map.of()), null, null);
  }
}
