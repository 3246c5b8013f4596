package dev.stevedore.trigger.schedule;

import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.trigger.core.DeployIntent;
import dev.stevedore.trigger.core.Submitter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds scheduled deploys and publishes each at its time: the lecture's {@code at}, {@code atq},
 * {@code at -c} and {@code atrm}. State lives in the {@link ScheduleStore} on disk; every decision
 * (fire, cancel) is taken on this verticle's own context, so a schedule is never fired and cancelled
 * at once. A schedule is marked fired only after Kafka acknowledged its request; a crash in between
 * re-fires it after the restart with the same deployment id and event id (one deployment downstream).
 */
public final class Scheduler extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

  private final Path dataDir;
  private final long tickMs;
  private final int maxPending;
  private final Submitter submitter;
  private final Clock clock;
  private final Set<String> busy = new HashSet<>();
  private ScheduleStore store;
  private Context own;
  private long timer = -1;

  public Scheduler(Path dataDir, long tickMs, int maxPending, Submitter submitter, Clock clock) {
    this.dataDir = dataDir;
    this.tickMs = tickMs;
    this.maxPending = maxPending;
    this.submitter = submitter;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    own = context;
    return vertx.executeBlocking(() -> ScheduleStore.open(dataDir)).onSuccess(s -> {
      store = s;
      LOG.info("{} pending schedules in {}", s.pending().size(), dataDir);
      timer = vertx.setPeriodic(0, tickMs, id -> tick());
    });
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return store == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      store.close();
      return null;
    });
  }

  /** Stores a new schedule durably; an id already known answers the existing one (a duplicate). */
  public Future<Added> add(Schedule schedule) {
    return onOwnContext(() -> {
      if (busy.contains(schedule.id())) {
        return Future.failedFuture(HttpProblem.of(409, "schedule " + schedule.id() + " is being stored; retry"));
      }
      Optional<Schedule> existing = store.get(schedule.id());
      if (existing.isPresent()) {
        return Future.succeededFuture(new Added(existing.get(), true));
      }
      if (store.pending().size() >= maxPending) {
        return Future.failedFuture(HttpProblem.of(429, "too many pending schedules (" + maxPending + ")"));
      }
      busy.add(schedule.id());
      return vertx.executeBlocking(() -> store.put(schedule))
          .andThen(ar -> busy.remove(schedule.id()))
          .map(s -> {
            LOG.info("deployment {} scheduled at {}: {} {} -> {}", s.id(), s.notBefore(), s.environment(), s.service(),
                s.version());
            return new Added(s, false);
          });
    });
  }

  /** The result of {@link #add}. */
  public record Added(Schedule schedule, boolean duplicate) {}

  public Future<List<Schedule>> pending() {
    return onOwnContext(() -> Future.succeededFuture(store.pending()));
  }

  public Future<Optional<Schedule>> get(String id) {
    return onOwnContext(() -> Future.succeededFuture(store.get(id)));
  }

  /** Cancels a pending schedule; 404 when unknown, 409 when fired, cancelled or being published. */
  public Future<Schedule> cancel(String id, String by) {
    return onOwnContext(() -> {
      Schedule s = store.get(id).orElse(null);
      if (s == null) {
        return Future.failedFuture(HttpProblem.of(404, "no schedule " + id));
      }
      if (busy.contains(id)) {
        return Future.failedFuture(HttpProblem.of(409, "schedule " + id + " is being published"));
      }
      if (!s.pending()) {
        return Future.failedFuture(HttpProblem.of(409, "schedule " + id + " is already " + s.state()));
      }
      busy.add(id);
      return vertx.executeBlocking(() -> store.put(s.with(Schedule.CANCELLED, clock.instant(), by)))
          .andThen(ar -> busy.remove(id))
          .onSuccess(c -> LOG.info("deployment {} schedule cancelled by {}", id, by));
    });
  }

  private void tick() {
    for (Schedule s : store.pending()) {
      if (s.notBefore().isAfter(clock.instant())) {
        break;
      }
      if (busy.add(s.id())) {
        fire(s);
      }
    }
  }

  private void fire(Schedule s) {
    DeployIntent intent = new DeployIntent("schedule", s.id(), s.service(), s.environment(), s.version(), null, null,
        null, s.requestedBy(), s.reason());
    submitter.submit(List.of(intent))
        .compose(done -> vertx.executeBlocking(() -> store.put(s.with(Schedule.FIRED, clock.instant(), "scheduler"))))
        .onComplete(ar -> {
          busy.remove(s.id());
          if (ar.succeeded()) {
            LOG.info("deployment {} schedule fired", s.id());
          } else {
            LOG.warn("deployment {} schedule not fired yet, retrying in {} ms: {}", s.id(), tickMs, ar.cause().toString());
          }
        });
  }

  private <T> Future<T> onOwnContext(Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    own.runOnContext(v -> {
      try {
        action.get().onComplete(promise);
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }
}
