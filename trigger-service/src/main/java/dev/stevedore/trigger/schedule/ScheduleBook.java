package dev.stevedore.trigger.schedule;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The schedules as the schedule topic says they are: a fold of its (verified) records in topic
 * order, so every instance that has read the same records holds the same book. Which record takes
 * effect is {@link #decide}, a pure function of the current entry and the record:
 *
 * <pre>
 *   (none)    + any state            -> that state (the first record seen; compaction may have left any)
 *   pending   + firing               -> firing, with the record's claim (the claim that won)
 *   pending   + cancelled / fired    -> cancelled / fired
 *   pending   + pending              -> ignored (a duplicate add)
 *   firing    + fired                -> fired
 *   firing    + firing               -> ignored (claimed already: the first claim wins)
 *   firing    + cancelled / pending  -> ignored, a regression (too late to cancel: being published)
 *   fired, cancelled + other state   -> ignored, a regression (stale, copied or replayed record)
 *   fired, cancelled + same state    -> ignored
 * </pre>
 * A transition keeps the schedule's target (service, environment, version, notBefore, reason) as
 * first recorded; a later record changes only its state and who changed it when. A regression is
 * worth re-asserting: the owner writes the current state again so that compaction, which keeps the
 * last record of a key, never keeps the stale one. Not thread-safe: one context owns it.
 */
public final class ScheduleBook {
  /** Where a record lies on the schedule log. */
  public record Position(int partition, long offset) {}

  /** A schedule, the claim of its winning {@code firing} record (if any), and the record that set it. */
  public record Entry(Schedule schedule, String claim, Position position) {}

  /** What a record did. */
  public sealed interface Outcome {
    record Applied(Entry entry) implements Outcome {}

    /** @param regression the record would have moved the schedule back: re-assert the current state */
    record Ignored(String reason, boolean regression) implements Outcome {}
  }

  private final Map<String, Entry> entries = new HashMap<>();

  /** The decision alone: what {@code change} does to {@code current} (null: unknown id). */
  public static Outcome decide(Entry current, ScheduleChange change, Position at) {
    Schedule proposed = change.schedule();
    if (current == null) {
      return new Outcome.Applied(new Entry(proposed, change.claim(), at));
    }
    Schedule now = current.schedule();
    Schedule.State to = proposed.state();
    Schedule moved = now.with(to, proposed.changedAt(), proposed.changedBy());
    switch (now.state()) {
      case PENDING:
        return switch (to) {
          case PENDING -> new Outcome.Ignored("schedule " + now.id() + " is pending already (a duplicate)", false);
          case FIRING -> new Outcome.Applied(new Entry(moved, change.claim(), at));
          case CANCELLED, FIRED -> new Outcome.Applied(new Entry(moved, current.claim(), at));
        };
      case FIRING:
        return switch (to) {
          case FIRED -> new Outcome.Applied(new Entry(moved, current.claim(), at));
          case FIRING -> new Outcome.Ignored("schedule " + now.id() + " is claimed already by " + current.claim(),
              false);
          case CANCELLED, PENDING -> new Outcome.Ignored("schedule " + now.id() + " is being published: "
              + to.word() + " comes too late", true);
        };
      default:
        if (to == now.state()) {
          return new Outcome.Ignored("schedule " + now.id() + " is " + now.state().word() + " already", false);
        }
        return new Outcome.Ignored("schedule " + now.id() + " is " + now.state().word() + ": a stale or replayed "
            + to.word() + " record", true);
    }
  }

  /** Applies a record read at {@code at}. */
  public Outcome apply(ScheduleChange change, Position at) {
    Outcome outcome = decide(entries.get(change.schedule().id()), change, at);
    if (outcome instanceof Outcome.Applied applied) {
      entries.put(change.schedule().id(), applied.entry());
    }
    return outcome;
  }

  public Optional<Entry> get(String id) {
    return Optional.ofNullable(entries.get(id));
  }

  /** Pending schedules, soonest first. */
  public List<Schedule> pending() {
    List<Schedule> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (e.schedule().pending()) {
        out.add(e.schedule());
      }
    }
    out.sort(Comparator.comparing(Schedule::notBefore).thenComparing(Schedule::id));
    return out;
  }

  public Collection<Entry> entries() {
    return List.copyOf(entries.values());
  }

  public int size() {
    return entries.size();
  }
}
