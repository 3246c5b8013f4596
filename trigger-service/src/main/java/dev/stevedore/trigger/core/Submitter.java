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
 */
public final class Submitter {
  private static final Logger LOG = LoggerFactory.getLogger(Submitter.class);

  /** The outcome of one intent. */
  public record Submitted(String deploymentId, String service, String environment, String version, boolean duplicate) {}

  private final RequestFactory factory;
  private final RequestSink sink;
  private final RecentIds recent;
  private final TriggerMetrics metrics;
  private final long timeoutMs;
  private final Predicate<String> seenOnTopic;
  private final Map<String, Future<Void>> inflight = new ConcurrentHashMap<>();

  public Submitter(RequestFactory factory, RequestSink sink, RecentIds recent, TriggerMetrics metrics,
      long timeoutMs) {
    this(factory, sink, recent, metrics, timeoutMs, id -> false);
  }

  /** @param seenOnTopic whether a deployment id was already read from the requests topic (history) */
  public Submitter(RequestFactory factory, RequestSink sink, RecentIds recent, TriggerMetrics metrics,
      long timeoutMs, Predicate<String> seenOnTopic) {
    this.seenOnTopic = seenOnTopic;
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
      Logs.withDeployment(id, () ->
          LOG.info("deployment {} is a duplicate (already acknowledged), not published again", id));
      return Future.succeededFuture(submitted(intent, true));
    }
    Promise<Void> promise = Promise.promise();
    Future<Void> running = inflight.putIfAbsent(id, promise.future());
    if (running != null) {
      Logs.withDeployment(id, () ->
          LOG.info("deployment {} is a duplicate (being published), waiting for the first", id));
      return running.map(v -> submitted(intent, true));
    }
    DeployRequested request;
    try {
      request = factory.build(intent);
    } catch (IllegalArgumentException e) {
      inflight.remove(id);
      return Future.failedFuture(HttpProblem.badRequest(e.getMessage()));
    }
    long start = System.nanoTime();
    Future<Void> published;
    try {
      published = sink.publish(request, intent.rollout(), intent.windowOverride(), intent.trace());
    } catch (RuntimeException e) {
      published = Future.failedFuture(e);
    }
    published.timeout(timeoutMs, TimeUnit.MILLISECONDS).onComplete(ar -> {
      metrics.published(System.nanoTime() - start, ar.succeeded());
      if (ar.succeeded()) {
        recent.add(id);
        Logs.withDeployment(id, () ->
            LOG.info("deployment {} requested: {} {} -> {} (trigger {}, by {})", id, intent.environment(),
            intent.service(), intent.version(), intent.trigger().word(), intent.requestedBy()));
      } else if (VertxCircuitBreaker.isOpen(ar.cause())) {
        Logs.withDeployment(id, () ->
            LOG.debug("deployment {} not published: circuit open", id)); // the breaker's transitions are logged
      } else {
        Logs.withDeployment(id, () ->
            LOG.warn("deployment {} not published: {}", id, ar.cause().toString()));
      }
      inflight.remove(id);
      promise.handle(ar);
    });
    return promise.future().map(v -> submitted(intent, false));
  }

  private static Submitted submitted(DeployIntent intent, boolean duplicate) {
    return new Submitted(intent.deploymentId(), intent.service(), intent.environment(), intent.version(), duplicate);
  }
}
