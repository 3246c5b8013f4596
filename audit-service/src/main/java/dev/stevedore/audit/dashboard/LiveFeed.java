package dev.stevedore.audit.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.audit.store.AuditStore;
import dev.stevedore.audit.store.DeploymentFilter;
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
 * new or changed deployment is pushed as {@code event: deployment}. A listener whose session ends
 * or whose connection cannot keep up (write queue full) is closed; the browser reconnects.
 */
public final class LiveFeed {
  private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);
  static final int WINDOW = 100;

  /** One listener: its response and a check that its session is still alive. */
  private record Listener(HttpServerResponse response, Supplier<Boolean> alive) {}

  private final Vertx vertx;
  private final AuditStore store;
  private final ObjectMapper json;
  private final int maxListeners;
  private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
  private Map<String, Views.Deployment> seen;
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
    if (listeners.size() >= maxListeners) {
      return false;
    }
    Listener l = new Listener(response, alive);
    listeners.add(l);
    response.closeHandler(v -> listeners.remove(l));
    response.exceptionHandler(e -> listeners.remove(l));
    if (timer == -1) {
      seen = null; // a fresh baseline: the browser reads the list itself when it connects
      timer = vertx.setPeriodic(1000, id -> tick());
    }
    return true;
  }

  public int listeners() {
    return listeners.size();
  }

  public void stop() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    listeners.forEach(l -> l.response().end());
    listeners.clear();
  }

  private void tick() {
    if (listeners.isEmpty()) {
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
    if (polling) {
      return;
    }
    polling = true;
    store.read(q -> q.deployments(DeploymentFilter.all(WINDOW))).onComplete(ar -> {
      polling = false;
      if (ar.failed()) {
        LOG.debug("live feed: reading the deployments failed: {}", ar.cause().toString());
        return;
      }
      Map<String, Views.Deployment> now = new HashMap<>();
      ar.result().items().forEach(d -> now.put(d.id(), d));
      Map<String, Views.Deployment> before = seen;
      seen = now;
      if (before == null) {
        return;
      }
      // oldest first, so the browser inserts them in order
      List<Views.Deployment> items = ar.result().items();
      for (int i = items.size() - 1; i >= 0; i--) {
        Views.Deployment d = items.get(i);
        if (!d.equals(before.get(d.id()))) {
          broadcast(d);
        }
      }
    });
  }

  private void broadcast(Views.Deployment d) {
    String data;
    try {
      data = json.writeValueAsString(d); // one line: JSON escapes every newline in a value
    } catch (Exception e) {
      LOG.warn("live feed: cannot encode deployment {}: {}", d.id(), e.toString());
      return;
    }
    String frame = "event: deployment\ndata: " + data + "\n\n";
    for (Listener l : List.copyOf(listeners)) {
      write(l, frame);
    }
  }

  private void write(Listener l, String frame) {
    if (l.response().closed()) {
      listeners.remove(l);
    } else if (l.response().writeQueueFull()) {
      drop(l, "too slow");
    } else {
      l.response().write(frame);
    }
  }

  private void drop(Listener l, String why) {
    listeners.remove(l);
    LOG.debug("live feed: closing a listener ({})", why);
    if (!l.response().closed()) {
      l.response().end();
    }
  }
}
