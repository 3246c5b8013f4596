package dev.stevedore.trigger.core;

import dev.stevedore.common.logging.Logs;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.resilience.VertxCircuitBreaker;
import dev.stevedore.common.runtime.HttpProblem;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs and publishes intents, and says which were duplicates. Not published again, and answered
 * {@code duplicate: true}: a deployment id this instance has had acknowledged (bounded memory), is
 * publishing right now (the answer waits for the first publication), or has read from the requests
 * topic (published by any instance; see {@code DeploymentHistory}). The one gap: the same delivery
 * reaching two instances within the topic read lag (well under a second) is published twice; the
 * deterministic deployment and event ids make the two one deployment downstream (agents and the
 * audit store dedupe by id), and the second answer says {@code duplicate: false}.
 *
 * <p>A publish runs to the producer's own outcome even when the answer gave up on it (503): a
 * retry meanwhile waits for it. One that failed in doubt is retried only once the history has read
 * the topic to its end and does not know the id ({@link ReadBack}); so a delivery retried after a
 * 503 is on the topic once, not once per attempt (issue #19, ClusterFaultIT).
 */
public final class Submitter {
  private final Logger log;

  /** The outcome of one intent. */
  public record Submitted(String deploymentId, String service, String environment, String version, boolean duplicate) {}

  private final RequestFactory factory;
  private final RequestSink sink;
  private final RecentIds recent;
  private final TriggerMetrics metrics;
  private final long timeoutMs;
  private final Predicate<String> seenOnTopic;
  private final ReadBack readBack;
  private final Map<String, Future<Void>> inflight = new ConcurrentHashMap<>();
  /**
   * Deployment ids whose last publish failed in a way that leaves it unknown whether the request
   * is on the topic (a send timed out while a leader failed over: the broker may have written
   * it). A retry of one first waits until the history has read the topic to its end.
   */
  private final RecentIds inDoubt = new RecentIds(10_000);

  /** Waits until the history has read the requests topic to its current end; see {@code history.ReadBack}. */
  @FunctionalInterface
  public interface ReadBack {
    Future<Void> caughtUp(long timeoutMs);
  }

  public Submitter(RequestFactory factory, RequestSink sink, RecentIds recent, TriggerMetrics metrics,
      long timeoutMs) {
    this(factory, sink, recent, metrics, timeoutMs, id -> false);
  }

  /** @param seenOnTopic whether a deployment id was already read from the requests topic (history) */
  public Submitter(RequestFactory factory, RequestSink sink, RecentIds recent, TriggerMetrics metrics,
      long timeoutMs, Predicate<String> seenOnTopic) {
    this(factory, sink, recent, metrics, timeoutMs, seenOnTopic, null);
  }

  /**
   * @param readBack how a retry of a request whose publish ended in doubt waits for the history to
   *     read the topic before it decides; null: such a retry publishes again (the same event)
   */
  public Submitter(RequestFactory factory, RequestSink sink, RecentIds recent, TriggerMetrics metrics,
      long timeoutMs, Predicate<String> seenOnTopic, ReadBack readBack) {
    this(factory, sink, recent, metrics, timeoutMs, seenOnTopic, readBack, LoggerFactory.getLogger(Submitter.class));
  }

  /** @param log where each request's lines go (the start-up warm-up's submitter logs nowhere) */
  public Submitter(RequestFactory factory, RequestSink sink, RecentIds recent, TriggerMetrics metrics,
      long timeoutMs, Predicate<String> seenOnTopic, ReadBack readBack, Logger log) {
    this.log = log;
    this.seenOnTopic = seenOnTopic;
    this.readBack = readBack;
    this.factory = factory;
    this.sink = sink;
    this.recent = recent;
    this.metrics = metrics;
    this.timeoutMs = timeoutMs;
  }

  /** Publishes every intent; succeeds only when each one is acknowledged (or was already). */
  public Future<List<Submitted>> submit(List<DeployIntent> intents) {
    List<Future<Submitted>> each = new ArrayList<>(intents.size());
    for (DeployIntent intent : intents) {
      each.add(submitOne(intent));
    }
    return Future.all(each).map(all -> {
      List<Submitted> out = new ArrayList<>(each.size());
      each.forEach(f -> out.add(f.result()));
      return out;
    });
  }

  private Future<Submitted> submitOne(DeployIntent intent) {
    String id = intent.deploymentId();
    if (recent.contains(id) || seenOnTopic.test(id)) {
      return duplicate(intent);
    }
    Future<Void> running = inflight.get(id);
    if (running == null && readBack != null && inDoubt.contains(id)) {
      // An earlier attempt may be on the topic: publish again only once the history has read the
      // topic to its end and does not know the id. Not knowing in time is another 503.
      return readBack.caughtUp(timeoutMs).transform(ar -> {
        if (ar.failed()) {
          Logs.withDeployment(id, () -> log.info("deployment {}: not known yet whether an earlier attempt is on Kafka: {}",
              id, ar.cause().getMessage()));
          return Future.failedFuture(new IllegalStateException("not known yet whether an earlier attempt of deployment "
              + id + " is on Kafka; retry"));
        }
        inDoubt.remove(id);
        if (recent.contains(id) || seenOnTopic.test(id)) {
          Logs.withDeployment(id, () -> log.info("deployment {}: the attempt that timed out is on the topic after all",
              id));
          recent.add(id);
          return Future.succeededFuture(submitted(intent, false));
        }
        return publish(intent);
      });
    }
    return publish(intent);
  }

  private Future<Submitted> duplicate(DeployIntent intent) {
    String id = intent.deploymentId();
    Logs.withDeployment(id, () ->
        log.info("deployment {} is a duplicate (already acknowledged), not published again", id));
    return Future.succeededFuture(submitted(intent, true));
  }

  /**
   * Publishes the request, or joins the publish of the same id under way. The publish runs to its
   * own end (the producer's delivery timeout) even when the answer gave up on it after {@code
   * timeoutMs}: a retry meanwhile waits for it instead of sending a second copy, and one that
   * lands late is remembered as acknowledged.
   */
  private Future<Submitted> publish(DeployIntent intent) {
    String id = intent.deploymentId();
    Promise<Void> promise = Promise.promise();
    Future<Void> running = inflight.putIfAbsent(id, promise.future());
    if (running != null) {
      Logs.withDeployment(id, () ->
          log.info("deployment {} is a duplicate (being published), waiting for the first", id));
      return running.timeout(timeoutMs, TimeUnit.MILLISECONDS).map(v -> submitted(intent, true));
    }
    DeployRequested request;
    try {
      request = factory.build(intent);
    } catch (IllegalArgumentException e) {
      inflight.remove(id);
      promise.fail(e);
      return Future.failedFuture(HttpProblem.badRequest(e.getMessage()));
    }
    long start = System.nanoTime();
    Future<Void> published;
    try {
      published = sink.publish(request, new PublishOptions(intent.rollout(), intent.windowOverride(), intent.trace()));
    } catch (RuntimeException e) {
      published = Future.failedFuture(e);
    }
    // The publisher ends every send within the producer's delivery timeout; the bound is for a sink that would not.
    published.timeout(Math.max(4 * timeoutMs, 30_000), TimeUnit.MILLISECONDS).onComplete(ar -> {
      metrics.published(System.nanoTime() - start, ar.succeeded());
      if (ar.succeeded()) {
        recent.add(id);
        inDoubt.remove(id);
        Logs.withDeployment(id, () ->
            log.info("deployment {} requested: {} {} -> {} (trigger {}, by {})", id, intent.environment(),
            intent.service(), intent.version(), intent.trigger().word(), intent.requestedBy()));
      } else if (VertxCircuitBreaker.isOpen(ar.cause())) {
        Logs.withDeployment(id, () ->
            log.debug("deployment {} not published: circuit open", id)); // the breaker's transitions are logged
      } else {
        // a refusal (HttpProblem: blocked version, closed window) was decided before any send
        if (!(ar.cause() instanceof HttpProblem)) {
          inDoubt.add(id);
        }
        Logs.withDeployment(id, () ->
            log.warn("deployment {} not published: {}", id, ar.cause().toString()));
      }
      inflight.remove(id);
      promise.handle(ar);
    });
    return promise.future().timeout(timeoutMs, TimeUnit.MILLISECONDS).map(v -> submitted(intent, false));
  }

  private static Submitted submitted(DeployIntent intent, boolean duplicate) {
    return new Submitted(intent.deploymentId(), intent.service(), intent.environment(), intent.version(), duplicate);
  }
}
