package dev.stevedore.trigger.rollout;

import dev.stevedore.trigger.rollout.RolloutSettings.Window;
import dev.stevedore.trigger.rollout.RolloutSettings.Windows;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether an environment may be deployed to now, from its configured deploy windows and freezes,
 * and if not, when it next may. Pure: the caller gives the time.
 *
 * <p>A window opens at every time its cron names and stays open for its duration. An environment
 * without windows is always open. A {@code deny} window (a freeze) covering the time closes it,
 * whatever else is configured: a freeze beats an allow. Otherwise, when the environment has
 * {@code allow} windows, one of them must cover the time. The next opening is the first time at or
 * after now at which both hold; it is searched up to a year ahead.
 */
public final class DeployWindows {
  /** How far ahead the next opening is looked for. */
  static final Duration HORIZON = Duration.ofDays(366);
  private static final int MAX_STEPS = 10_000;

  private final Map<String, Windows> byEnvironment;

  public DeployWindows(Map<String, Windows> byEnvironment) {
    this.byEnvironment = byEnvironment == null ? Map.of() : Map.copyOf(byEnvironment);
  }

  /**
   * The answer for one environment at one time.
   *
   * @param open whether a request may start now
   * @param opensAt when closed: the next opening (empty: none within a year)
   * @param reason which window closes it (blank when open)
   * @param refuse when closed: whether the request is refused (else it waits for the opening)
   */
  public record Decision(boolean open, Optional<Instant> opensAt, String reason, boolean refuse) {
    static final Decision OPEN = new Decision(true, Optional.empty(), "", false);
  }

  /** Whether {@code environment} has any windows. */
  public boolean configured(String environment) {
    Windows w = byEnvironment.get(environment);
    return w != null && !w.windows().isEmpty();
  }

  public Decision decide(String environment, Instant now) {
    Windows w = byEnvironment.get(environment);
    if (w == null || w.windows().isEmpty()) {
      return Decision.OPEN;
    }
    String closedBy = closedBy(w.windows(), now);
    if (closedBy == null) {
      return Decision.OPEN;
    }
    return new Decision(false, nextOpening(w.windows(), now), closedBy, w.refuses());
  }

  /** Null when open at {@code t}; else why not. */
  private static String closedBy(List<Window> windows, Instant t) {
    for (Window w : windows) {
      if (w.deny() && coveringStart(w, t).isPresent()) {
        return "freeze " + w.name() + " (" + w.cron() + " for " + w.duration() + ")";
      }
    }
    boolean anyAllow = false;
    for (Window w : windows) {
      if (!w.deny()) {
        anyAllow = true;
        if (coveringStart(w, t).isPresent()) {
          return null;
        }
      }
    }
    return anyAllow ? "outside the deploy windows" : null;
  }

  private static Optional<Instant> nextOpening(List<Window> windows, Instant now) {
    Instant t = now;
    Instant limit = now.plus(HORIZON);
    for (int step = 0; step < MAX_STEPS && !t.isAfter(limit); step++) {
      Instant later = null;
      for (Window w : windows) {
        if (w.deny()) {
          Optional<Instant> start = coveringStart(w, t);
          if (start.isPresent()) {
            Instant end = start.get().plus(w.length());
            later = later == null || end.isAfter(later) ? end : later;
          }
        }
      }
      if (later != null) {
        t = later;
        continue;
      }
      boolean anyAllow = false;
      Instant nextStart = null;
      boolean covered = false;
      for (Window w : windows) {
        if (!w.deny()) {
          anyAllow = true;
          if (coveringStart(w, t).isPresent()) {
            covered = true;
            break;
          }
          Optional<Instant> n = next(w, t);
          if (n.isPresent() && (nextStart == null || n.get().isBefore(nextStart))) {
            nextStart = n.get();
          }
        }
      }
      if (!anyAllow || covered) {
        return Optional.of(t);
      }
      if (nextStart == null) {
        return Optional.empty();
      }
      t = nextStart;
    }
    return Optional.empty();
  }

  /** The earliest start of {@code w} whose span [start, start + duration) contains {@code t}. */
  static Optional<Instant> coveringStart(Window w, Instant t) {
    // The cron's resolution is a minute: a start in (t - duration, t] covers t.
    Optional<Instant> first = next(w, t.minus(w.length()));
    return first.filter(s -> !s.isAfter(t));
  }

  /** The first start of {@code w} strictly after {@code t}. */
  private static Optional<Instant> next(Window w, Instant t) {
    return w.schedule().next(ZonedDateTime.ofInstant(t, w.schedule().zone())).map(ZonedDateTime::toInstant);
  }
}
