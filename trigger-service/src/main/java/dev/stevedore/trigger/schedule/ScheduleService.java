package dev.stevedore.trigger.schedule;

import dev.stevedore.common.runtime.HttpProblem;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schedules: the lecture's {@code at}, {@code atq}, {@code at -c} and {@code atrm}, and what
 * the {@link ScheduleTimer} asks when it fires. State lives in the {@link ScheduleStore} on disk;
 * every decision (add, claim for firing, cancel) is taken on one context, so a schedule is never
 * fired and cancelled at once. A schedule is marked fired only after its request was acknowledged;
 * a crash in between fires it again after the restart, with the same deployment id.
 */
public final class ScheduleService {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleService.class);

  private final Vertx vertx;
  private final Context own;
  private final ScheduleStore store;
  private final int maxPending;
  private final Clock clock;
  /** Schedules being written or published: not to be cancelled, claimed or stored twice. */
  private final Set<String> busy = new HashSet<>();

  ScheduleService(Vertx vertx, Context own, ScheduleStore store, int maxPending, Clock clock) {
    this.vertx = vertx;
    this.own = own;
    this.store = store;
    this.maxPending = maxPending;
    this.clock = clock;
  }

  /** The result of {@link #add}. */
  public record Added(Schedule schedule, boolean duplicate) {}

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

  /** Pending schedules, soonest first. */
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
        return Future.failedFuture(HttpProblem.of(409, "schedule " + id + " is already " + s.state().word()));
      }
      busy.add(id);
      return vertx.executeBlocking(() -> store.put(s.with(Schedule.State.CANCELLED, clock.instant(), by)))
          .andThen(ar -> busy.remove(id))
          .onSuccess(c -> LOG.info("deployment {} schedule cancelled by {}", id, by));
    });
  }

  /** The pending schedules that are due and not busy, now claimed (busy) until {@link #release}. */
  Future<List<Schedule>> claimDue() {
    return onOwnContext(() -> {
      List<Schedule> due = new ArrayList<>();
      for (Schedule s : store.pending()) {
        if (s.notBefore().isAfter(clock.instant())) {
          break;
        }
        if (busy.add(s.id())) {
          due.add(s);
        }
      }
      return Future.succeededFuture(due);
    });
  }

  /** Records that a claimed schedule's request was acknowledged (durably: fsynced). */
  Future<Schedule> markFired(Schedule s) {
    return vertx.executeBlocking(() -> store.put(s.with(Schedule.State.FIRED, clock.instant(), "scheduler")));
  }

  /** Ends a claim, fired or not (a schedule not fired is claimed again at a later tick). */
  Future<Void> release(Schedule s) {
    return onOwnContext(() -> {
      busy.remove(s.id());
      return Future.succeededFuture();
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
