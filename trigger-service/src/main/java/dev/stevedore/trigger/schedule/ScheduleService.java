package dev.stevedore.trigger.schedule;

import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.trigger.schedule.ScheduleBook.Entry;
import dev.stevedore.trigger.schedule.ScheduleBook.Outcome;
import dev.stevedore.trigger.schedule.ScheduleBook.Position;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schedules: the lecture's {@code at}, {@code atq}, {@code at -c} and {@code atrm}, answered
 * the same through every trigger instance, and the firing of due schedules by the one instance that
 * owns them. The truth is the {@link ScheduleLog} (the compacted schedule topic); every instance
 * folds it into a {@link ScheduleBook}. A change is a record appended to the log and read back: it
 * took effect only if the book, having read up to it, says so (so a cancel through one instance
 * and a firing on another are ordered by the log, and exactly one of them wins).
 *
 * <p>Firing, by the owner only: append {@code firing} with a fresh claim; once read back and won,
 * publish the request (its deployment id is the schedule id) and append {@code fired}. An owner
 * that takes over a schedule left {@code firing} (its previous owner died between the two) publishes
 * it again with the same deployment id: the submitter drops it if the request is on the requests
 * topic already, and agents treat a request id they have seen as done.
 *
 * <p>Everything runs on one context (the {@link ScheduleTimer}'s).
 */
public final class ScheduleService {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleService.class);
  /** How long an API call waits for the log to catch up or to read its own write back. */
  static final long READ_TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final Context own;
  private final ScheduleLog log;
  private final ScheduleRecords records;
  private final int maxPending;
  private final Clock clock;
  private final String instanceId;
  private final Function<Schedule, Future<?>> fire;
  private final Path journalDir;
  private final ScheduleBook book = new ScheduleBook();
  /** Schedules with a change of ours in flight: not claimed, cancelled or added twice at once. */
  private final Set<String> busy = new HashSet<>();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong fired = new AtomicLong();
  private boolean migrated;

  ScheduleService(Vertx vertx, Context own, ScheduleLog log, ScheduleRecords records, int maxPending, Clock clock,
      String instanceId, Function<Schedule, Future<?>> fire, Path journalDir) {
    this.vertx = vertx;
    this.own = own;
    this.log = log;
    this.records = records;
    this.maxPending = maxPending;
    this.clock = clock;
    this.instanceId = instanceId;
    this.fire = fire;
    this.journalDir = journalDir;
  }

  /** The result of {@link #add}. */
  public record Added(Schedule schedule, boolean duplicate) {}

  // ---- the API ----------------------------------------------------------------------------------

  /** Records a new schedule; an id already known answers the existing one (a duplicate). */
  public Future<Added> add(Schedule schedule) {
    return afterCatchingUp(() -> {
      Optional<Entry> existing = book.get(schedule.id());
      if (existing.isPresent()) {
        return Future.succeededFuture(new Added(existing.get().schedule(), true));
      }
      if (busy.contains(schedule.id())) {
        return Future.failedFuture(HttpProblem.of(409, "schedule " + schedule.id() + " is being stored; retry"));
      }
      if (book.pending().size() >= maxPending) {
        return Future.failedFuture(HttpProblem.of(429, "too many pending schedules (" + maxPending + ")"));
      }
      busy.add(schedule.id());
      return write(new ScheduleChange(schedule, null, instanceId))
          .andThen(ar -> busy.remove(schedule.id()))
          .map(w -> {
            if (w.took()) {
              LOG.info("deployment {} scheduled at {}: {} {} -> {}", schedule.id(), schedule.notBefore(),
                  schedule.environment(), schedule.service(), schedule.version());
            }
            return new Added(w.entry().schedule(), !w.took());
          });
    });
  }

  /** Pending schedules, soonest first, as the log says after every change made before this call. */
  public Future<List<Schedule>> pending() {
    return afterCatchingUp(() -> Future.succeededFuture(book.pending()));
  }

  public Future<Optional<Schedule>> get(String id) {
    return afterCatchingUp(() -> Future.succeededFuture(book.get(id).map(Entry::schedule)));
  }

  /** Cancels a pending schedule; 404 when unknown, 409 when firing, fired or cancelled (or it lost a race to one). */
  public Future<Schedule> cancel(String id, String by) {
    return afterCatchingUp(() -> {
      Entry e = book.get(id).orElse(null);
      if (e == null) {
        return Future.failedFuture(HttpProblem.of(404, "no schedule " + id));
      }
      if (busy.contains(id) || e.schedule().state() == Schedule.State.FIRING) {
        return Future.failedFuture(HttpProblem.of(409, "schedule " + id + " is being published"));
      }
      if (!e.schedule().pending()) {
        return Future.failedFuture(HttpProblem.of(409, "schedule " + id + " is already " + e.schedule().state().word()));
      }
      busy.add(id);
      return write(new ScheduleChange(e.schedule().with(Schedule.State.CANCELLED, clock.instant(), by), null,
          instanceId))
          .andThen(ar -> busy.remove(id))
          .compose(w -> {
            if (!w.took()) {
              return Future.failedFuture(HttpProblem.of(409, "schedule " + id + " is already "
                  + w.entry().schedule().state().word()));
            }
            LOG.info("deployment {} schedule cancelled by {}", id, by);
            return Future.succeededFuture(w.entry().schedule());
          });
    });
  }

  /** Records on the schedule topic that were not taken (malformed, oversized, unsigned, forged). */
  public long rejectedRecords() {
    return rejected.get();
  }

  /** Schedules this instance published. */
  public long firedHere() {
    return fired.get();
  }

  // ---- the log ----------------------------------------------------------------------------------

  /** The log's reader: verify, fold, and re-assert the state of an owned schedule a stale record would undo. */
  final ScheduleLog.Reader reader = new ScheduleLog.Reader() {
    @Override
    public void record(String key, byte[] value, Position at) {
      ScheduleChange change;
      try {
        change = records.decode(key, value);
      } catch (ScheduleRecords.Rejected e) {
        rejected.incrementAndGet();
        LOG.warn("schedule topic record {}-{} (key {}) not taken: {}", at.partition(), at.offset(),
            key == null ? null : key.length() > 80 ? key.substring(0, 80) + "..." : key, e.getMessage());
        if (value == null && key != null) {
          book.get(key).ifPresent(current -> reassert(current, "a tombstone"));
        }
        return;
      }
      Outcome outcome = book.apply(change, at);
      if (outcome instanceof Outcome.Ignored ignored) {
        LOG.debug("schedule record {}-{} ignored: {}", at.partition(), at.offset(), ignored.reason());
        if (ignored.regression()) {
          LOG.warn("schedule record {}-{} ignored: {}", at.partition(), at.offset(), ignored.reason());
          book.get(key).ifPresent(current -> reassert(current, ignored.reason()));
        }
      }
    }

    @Override
    public void ownershipGained() {
      tick(); // a takeover fires what is due at once, not a tick later
    }
  };

  /** Only the owner re-asserts, once per stale record: its record becomes the key's last again. */
  private void reassert(Entry current, String why) {
    String id = current.schedule().id();
    if (!log.owns(id)) {
      return;
    }
    LOG.warn("re-asserting schedule {} as {} after {}", id, current.schedule().state().word(), why);
    log.append(id, records.encode(new ScheduleChange(current.schedule(), current.claim(), instanceId)))
        .onFailure(e -> LOG.warn("could not re-assert schedule {}: {}", id, e.toString()));
  }

  /** A change appended and read back: whether it took effect, and the schedule as it now is. */
  private record Written(boolean took, Entry entry) {}

  private Future<Written> write(ScheduleChange change) {
    String id = change.schedule().id();
    return log.append(id, records.encode(change))
        .compose(at -> log.applied(at, READ_TIMEOUT_MS).map(v -> at))
        .recover(e -> Future.failedFuture(e instanceof HttpProblem ? e
            : HttpProblem.of(503, "the schedule log is unavailable: " + e.getMessage())))
        .compose(at -> inOwnContext(() -> {
          Entry now = book.get(id).orElseThrow(() -> new IllegalStateException("schedule " + id + " not read back"));
          return Future.succeededFuture(new Written(now.position().equals(at), now));
        }));
  }

  private <T> Future<T> afterCatchingUp(Supplier<Future<T>> action) {
    return inOwnContext(() -> log.caughtUp(READ_TIMEOUT_MS)
        .recover(e -> Future.failedFuture(HttpProblem.of(503, "schedules cannot be read now (Kafka): "
            + e.getMessage())))
        .compose(v -> inOwnContext(action)));
  }

  // ---- firing -----------------------------------------------------------------------------------

  /** Fires what this instance owns and is due, and migrates the old journal once the log has been read. */
  void tick() {
    if (!log.ready()) {
      return;
    }
    if (!migrated) {
      migrated = true;
      migrate();
    }
    Instant now = clock.instant();
    for (Entry e : book.entries()) {
      Schedule s = e.schedule();
      if (busy.contains(s.id()) || !log.owns(s.id())) {
        continue;
      }
      if (s.pending() && !s.notBefore().isAfter(now)) {
        claim(s);
      } else if (s.state() == Schedule.State.FIRING) {
        LOG.info("deployment {}: schedule left firing (claim {}); publishing it (again), same deployment id", s.id(),
            e.claim());
        publish(e);
      }
    }
  }

  private void claim(Schedule s) {
    busy.add(s.id());
    String claim = instanceId + "/" + UUID.randomUUID();
    write(new ScheduleChange(s.with(Schedule.State.FIRING, clock.instant(), "scheduler:" + instanceId), claim,
        instanceId))
        .onComplete(ar -> {
          if (ar.failed()) {
            busy.remove(s.id());
            LOG.warn("deployment {}: could not claim the schedule, retrying at the next tick: {}", s.id(),
                ar.cause().toString());
          } else if (ar.result().entry().schedule().state() == Schedule.State.FIRING
              && claim.equals(ar.result().entry().claim())) {
            busy.remove(s.id());
            publish(ar.result().entry());
          } else {
            busy.remove(s.id());
            LOG.info("deployment {}: claim lost, the schedule is {}", s.id(),
                ar.result().entry().schedule().state().word());
          }
        });
  }

  private void publish(Entry e) {
    Schedule s = e.schedule();
    if (!log.owns(s.id())) {
      return; // ownership moved meanwhile: the new owner publishes
    }
    busy.add(s.id());
    Future<?> published;
    try {
      published = fire.apply(s);
    } catch (RuntimeException ex) {
      published = Future.failedFuture(ex);
    }
    published
        .compose(done -> write(new ScheduleChange(s.with(Schedule.State.FIRED, clock.instant(), "scheduler:"
            + instanceId), e.claim(), instanceId)))
        .onComplete(ar -> inOwnContext(() -> {
          busy.remove(s.id());
          if (ar.succeeded()) {
            fired.incrementAndGet();
            LOG.info("deployment {} schedule fired", s.id());
          } else {
            LOG.warn("deployment {} schedule not fired yet (stays firing), retrying at the next tick: {}", s.id(),
                ar.cause().toString());
          }
          return Future.succeededFuture();
        }));
  }

  // ---- migration --------------------------------------------------------------------------------

  /**
   * Publishes the pending schedules of the old journal that the log does not know, then retires the
   * journal. Each schedule is an add (a duplicate is ignored by the fold), so an interrupted
   * migration is simply done again at the next start.
   */
  private void migrate() {
    if (journalDir == null) {
      return;
    }
    vertx.executeBlocking(() -> LegacyJournal.exists(journalDir) ? LegacyJournal.read(journalDir) : null, false)
        .compose(contents -> inOwnContext(() -> {
          if (contents == null) {
            return Future.succeededFuture();
          }
          contents.unreadable().forEach(line -> LOG.warn("schedule journal {}: {} skipped (the file is kept)",
              journalDir.resolve(LegacyJournal.FILE), line));
          List<Schedule> pending = contents.schedules().stream().filter(Schedule::pending).toList();
          List<Future<Written>> writes = pending.stream().filter(s -> book.get(s.id()).isEmpty())
              .map(s -> write(new ScheduleChange(s, null, "migration:" + instanceId))).toList();
          return Future.all(writes).compose(all -> vertx.executeBlocking(() -> LegacyJournal.retire(journalDir), false))
              .onSuccess(to -> LOG.info("migrated {} pending of {} schedules from {} to the schedule topic ({} known "
                  + "there already); the journal is now {}", writes.size(), contents.schedules().size(),
                  journalDir.resolve(LegacyJournal.FILE), pending.size() - writes.size(), to))
              .mapEmpty();
        }))
        .onFailure(e -> inOwnContext(() -> {
          migrated = false; // try again at a later tick
          LOG.warn("migrating the schedule journal in {} failed, retrying: {}", journalDir, e.toString());
          return Future.succeededFuture();
        }));
  }

  private <T> Future<T> inOwnContext(Supplier<Future<T>> action) {
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
