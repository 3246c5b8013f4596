package dev.stevedore.audit.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.audit.store.AuditStore;
import dev.stevedore.audit.store.DeploymentFilter;
import dev.stevedore.audit.store.RolloutFilter;
import dev.stevedore.audit.store.Views;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-sent events for the dashboard: while at least one browser listens, the newest deployments
 * are read from the store once a second (one read for all listeners, on the worker pool) and each
 * new or changed deployment is pushed as {@code event: deployment}, and each new or changed rollout
 * among the newest {@value #ROLLOUT_WINDOW} as {@code event: rollout}. A listener whose session ends
 * or whose connection cannot keep up (write queue full) is closed; the browser reconnects.
 *
 * <p>A new listener gets its first bytes (and so its browser the {@code open} event, on which the
 * page reads the list) only after a read of the store that later changes are compared with: nothing
 * ingested between the page's read and the feed's is lost.
 */
public final class LiveFeed {
  private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);
  static final int WINDOW = 100;
  /** How many of the newest rollouts are compared at each read. */
  static final int ROLLOUT_WINDOW = 20;

  /** What one read of the store sees. */
  private record Snapshot(List<Views.Deployment> deployments, List<Views.Rollout> rollouts) {}

  /** One listener: its response and a check that its session is still alive. */
  private record Listener(HttpServerResponse response, Supplier<Boolean> alive) {}

  private final Vertx vertx;
  private final AuditStore store;
  private final ObjectMapper json;
  private final int maxListeners;
  private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
  private final Set<Listener> waiting = ConcurrentHashMap.newKeySet();
  private Map<String, Views.Deployment> seen;
  private Map<String, Views.Rollout> seenRollouts;
  private boolean polling;
  private long ticks;
  private long timer = -1;

  public LiveFeed(Vertx vertx, AuditStore store, ObjectMapper json, int maxListeners) {
    this.vertx = vertx;
    this.store = store;
    this.json = json;
    this.maxListeners = maxListeners;
  }

  /** Adds a listener; false when the feed is full (the caller answers 503). */
  public boolean add(HttpServerResponse response, Supplier<Boolean> alive) {
    if (listeners.size() + waiting.size() >= maxListeners) {
      return false;
    }
    Listener l = new Listener(response, alive);
    waiting.add(l);
    response.closeHandler(v -> forget(l));
    response.exceptionHandler(e -> forget(l));
    if (timer == -1) {
      seen = null; // a fresh baseline
      seenRollouts = null;
      timer = vertx.setPeriodic(1000, id -> tick());
      poll();
    }
    return true;
  }

  public int capacity() {
    return maxListeners;
  }

  public int listeners() {
    return listeners.size() + waiting.size();
  }

  private void forget(Listener l) {
    listeners.remove(l);
    waiting.remove(l);
  }

  public void stop() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    listeners.forEach(l -> drop(l, "stopping"));
    waiting.forEach(l -> drop(l, "stopping"));
  }

  private void tick() {
    if (listeners.isEmpty() && waiting.isEmpty()) {
      vertx.cancelTimer(timer);
      timer = -1;
      return;
    }
    ticks++;
    for (Listener l : List.copyOf(listeners)) {
      if (!l.alive().get()) {
        drop(l, "session ended");
      } else if (ticks % 15 == 0) {
        write(l, ": keep-alive\n\n");
      }
    }
    poll();
  }

  private void poll() {
    if (polling) {
      return;
    }
    polling = true;
    store.read(q -> new Snapshot(q.deployments(DeploymentFilter.all(WINDOW)).items(),
        q.rollouts(new RolloutFilter(null, null, null, ROLLOUT_WINDOW)))).onComplete(ar -> {
      polling = false;
      if (ar.failed()) {
        LOG.debug("live feed: reading the deployments failed: {}", ar.cause().toString());
        return;
      }
      Map<String, Views.Deployment> now = new HashMap<>();
      ar.result().deployments().forEach(d -> now.put(d.id(), d));
      Map<String, Views.Rollout> rolloutsNow = new HashMap<>();
      ar.result().rollouts().forEach(r -> rolloutsNow.put(r.id(), r));
      Map<String, Views.Deployment> before = seen;
      Map<String, Views.Rollout> rolloutsBefore = seenRollouts;
      seen = now;
      seenRollouts = rolloutsNow;
      if (before != null) {
        // oldest first, so the browser inserts them in order
        List<Views.Deployment> items = ar.result().deployments();
        for (int i = items.size() - 1; i >= 0; i--) {
          Views.Deployment d = items.get(i);
          if (!d.equals(before.get(d.id()))) {
            broadcast("deployment", d.id(), d);
          }
        }
        List<Views.Rollout> rollouts = ar.result().rollouts();
        for (int i = rollouts.size() - 1; i >= 0; i--) {
          Views.Rollout r = rollouts.get(i);
          if (rolloutsBefore != null && !r.equals(rolloutsBefore.get(r.id()))) {
            broadcast("rollout", r.id(), r);
          }
        }
      }
      for (Listener l : List.copyOf(waiting)) {
        waiting.remove(l);
        listeners.add(l);
        write(l, "retry: 2000\n: connected\n\n");
      }
    });
  }

  private void broadcast(String event, String id, Object value) {
    String data;
    try {
      data = json.writeValueAsString(value); // one line: JSON escapes every newline in a value
    } catch (Exception e) {
      LOG.warn("live feed: cannot encode {} {}: {}", event, id, e.toString());
      return;
    }
    String frame = "event: " + event + "\ndata: " + data + "\n\n";
    for (Listener l : List.copyOf(listeners)) {
      write(l, frame);
    }
  }

  /** One listener's failure (a reset stream, a closed connection) never keeps the frame from the others. */
  private void write(Listener l, String frame) {
    try {
      if (l.response().closed()) {
        listeners.remove(l);
      } else if (l.response().writeQueueFull()) {
        drop(l, "too slow");
      } else {
        l.response().write(frame).onFailure(e -> forget(l));
      }
    } catch (RuntimeException e) {
      forget(l);
      LOG.debug("live feed: a listener went away: {}", e.toString());
    }
  }

  private void drop(Listener l, String why) {
    forget(l);
    LOG.debug("live feed: closing a listener ({})", why);
    try {
      if (!l.response().closed()) {
        l.response().end();
      }
    } catch (RuntimeException e) {
      LOG.debug("live feed: closing a listener failed: {}", e.toString());
    }
  }
}
