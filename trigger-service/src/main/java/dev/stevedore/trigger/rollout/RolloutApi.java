package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.event.RolloutState;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.trigger.history.DeploymentHistory;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The rollout API's use cases: a rollout's state, a deployer's command, and "is this deployment
 * (or rollout) finished, and how did each host end" with an optional wait. Answers as JSON; failures
 * are {@link HttpProblem}s.
 */
public final class RolloutApi {
  /** The longest {@code wait} a caller may ask for. */
  public static final Duration MAX_WAIT = Duration.ofMinutes(30);
  static final long POLL_MS = 250;
  /** How long a wait tolerates an id not known yet (accepted by another instance, not read here yet). */
  static final Duration UNKNOWN_GRACE = Duration.ofSeconds(10);

  private final Optional<RolloutVerticle> rollouts;
  private final Optional<DeploymentHistory> history;
  private final Vertx vertx;
  private final Clock clock;

  public RolloutApi(Optional<RolloutVerticle> rollouts, Optional<DeploymentHistory> history, Vertx vertx, Clock clock) {
    this.rollouts = rollouts;
    this.history = history;
    this.vertx = vertx;
    this.clock = clock;
  }

  /** {@code wait} as ISO-8601 ({@code PT10M}); 400 when malformed, negative or beyond {@link #MAX_WAIT}. */
  public static Duration parseWait(String text) {
    if (text == null || text.isBlank()) {
      return Duration.ZERO;
    }
    Duration d;
    try {
      d = Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw HttpProblem.badRequest("wait must be an ISO-8601 duration such as PT10M");
    }
    if (d.isNegative() || d.compareTo(MAX_WAIT) > 0) {
      throw HttpProblem.badRequest("wait must be between PT0S and " + MAX_WAIT);
    }
    return d;
  }

  public Future<JsonObject> rollout(String id) {
    return coordinator(c -> Future.succeededFuture(c.rollout(id)))
        .compose(s -> s.isPresent() ? Future.succeededFuture(toJson(s.get()))
            : Future.failedFuture(HttpProblem.notFound("no rollout " + id)));
  }

  public Future<JsonObject> command(String id, RolloutMachine.Command command, String by, String why) {
    return coordinator(c -> c.command(id, command, by, why)).map(RolloutApi::toJson).recover(e -> {
      if (e instanceof NoSuchElementException) {
        return Future.failedFuture(HttpProblem.notFound(e.getMessage()));
      }
      if (e instanceof IllegalStateException) {
        return Future.failedFuture(HttpProblem.of(409, e.getMessage()));
      }
      if (e instanceof RolloutCoordinator.NotCoordinator) {
        return Future.failedFuture(HttpProblem.of(503, e.getMessage()).withHeader("Retry-After", "1"));
      }
      return Future.failedFuture(e);
    });
  }

  /**
   * A deployment's (or rollout's) state with the outcome per host, once finished or once {@code wait}
   * has passed ({@code finished: false} then). 404 for an id this trigger does not know.
   */
  public Future<JsonObject> deployment(String id, Duration wait) {
    Instant until = clock.instant().plus(wait);
    // A deployment just accepted by another instance may take a moment to be read here.
    Instant known = clock.instant().plus(wait.compareTo(UNKNOWN_GRACE) < 0 ? wait : UNKNOWN_GRACE);
    return look(id).recover(e -> wait.isZero() ? Future.failedFuture(e) : poll(id, until, known))
        .compose(first -> first.getBoolean("finished") || wait.isZero() ? Future.succeededFuture(first)
        : poll(id, until, known));
  }

  private Future<JsonObject> poll(String id, Instant until, Instant known) {
    Promise<JsonObject> promise = Promise.promise();
    vertx.setTimer(POLL_MS, t -> look(id).onComplete(ar -> {
      boolean unknownYet = ar.failed() && ar.cause() instanceof HttpProblem p && p.status() == 404
          && clock.instant().isBefore(known);
      if (unknownYet) {
        poll(id, until, known).onComplete(promise);
      } else if (ar.failed() || ar.result().getBoolean("finished") || !clock.instant().isBefore(until)) {
        promise.handle(ar);
      } else {
        poll(id, until, known).onComplete(promise);
      }
    }));
    return promise.future();
  }

  private Future<JsonObject> look(String id) {
    return coordinator(c -> {
      Optional<RolloutState> r = c.rollout(id);
      if (r.isPresent()) {
        JsonObject json = toJson(r.get());
        return Future.succeededFuture(new JsonObject().put("deploymentId", id).put("rollout", true)
            .put("finished", Phase.of(r.get().phase()).done()).put("status", r.get().phase())
            .put("hosts", json.getJsonArray("hosts")).put("unreached", json.getJsonArray("unreached")));
      }
      Optional<DeploymentHistory.Requested> d = history.flatMap(h -> h.request(id));
      if (d.isEmpty()) {
        return Future.failedFuture(HttpProblem.notFound("deployment " + id + " is not known to this trigger"));
      }
      Map<String, Outcome> outcomes = c.outcomes(id);
      Membership.Candidates hosts = c.candidates(d.get().environment(), d.get().service());
      JsonArray list = new JsonArray();
      Map<String, Outcome> sorted = new TreeMap<>(outcomes);
      sorted.forEach((host, o) -> list.add(new JsonObject().put("host", host).put("state", o.status())
          .put("version", o.version())));
      boolean finished = hosts.alive().stream().allMatch(outcomes::containsKey) && !outcomes.isEmpty();
      boolean failed = outcomes.values().stream().anyMatch(o -> !o.status().equals("succeeded")
          && !o.status().equals("skipped"));
      hosts.alive().stream().filter(h -> !outcomes.containsKey(h)).sorted()
          .forEach(h -> list.add(new JsonObject().put("host", h).put("state", "running")));
      return Future.succeededFuture(new JsonObject().put("deploymentId", id).put("rollout", false)
          .put("finished", finished).put("status", !finished ? "running" : failed ? "failed" : "succeeded")
          .put("hosts", list).put("unreached", new JsonArray(hosts.silent())));
    });
  }

  private <T> Future<T> coordinator(java.util.function.Function<RolloutCoordinator, Future<T>> work) {
    return rollouts.map(r -> r.call(work))
        .orElseGet(() -> Future.failedFuture(HttpProblem.of(501, "rollouts are disabled on this trigger")));
  }

  static JsonObject toJson(RolloutState s) {
    JsonArray waves = new JsonArray();
    s.waves().forEach(w -> waves.add(new JsonObject().put("index", w.index()).put("hosts", new JsonArray(w.hosts()))
        .put("canary", w.canary())));
    JsonArray hosts = new JsonArray();
    s.hosts().forEach(h -> hosts.add(new JsonObject().put("host", h.host()).put("wave", h.wave())
        .put("previousVersion", h.previousVersion()).put("state", h.state()).put("detail", h.detail())));
    return new JsonObject()
        .put("rolloutId", s.rolloutId())
        .put("environment", s.environment())
        .put("service", s.service())
        .put("version", s.version())
        .put("phase", s.phase())
        .put("paused", s.paused())
        .put("seq", s.seq())
        .put("strategy", s.policy().strategy().word())
        .put("currentWave", s.currentWave())
        .put("bakeUntil", s.bakeUntil() == null ? null : s.bakeUntil().toString())
        .put("detail", s.detail())
        .put("supersededBy", s.supersededBy())
        .put("waves", waves)
        .put("hosts", hosts)
        .put("unreached", new JsonArray(s.unreached()))
        .put("updatedAt", s.time().toString());
  }
}
