package dev.stevedore.cli.time;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The times and durations people type: {@code --timeout 10m}, {@code at "now + 1 hour"}, {@code at 23:30}. */
public final class Times {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern RELATIVE = Pattern.compile(
      "(?:now\\s*\\+\\s*|\\+\\s*|in\\s+)(\\d{1,6})\\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)");
  private static final Pattern CLOCK = Pattern.compile("(?:(today|tomorrow)\\s+)?(\\d{1,2}):(\\d{2})");

  private Times() {}

  /** {@code 500ms}, {@code 90s}, {@code 10m}, {@code 1h30m}, {@code 2d}, or ISO-8601 {@code PT10M}; positive. */
  public static Duration duration(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    Duration d = Duration.ZERO;
    if (t.startsWith("p")) {
      try {
        d = Duration.parse(t.toUpperCase(Locale.ROOT));
      } catch (DateTimeException e) {
        throw new IllegalArgumentException("'" + text + "' is not a duration such as 90s, 10m, 1h30m");
      }
    } else {
      Matcher m = DURATION.matcher(t);
      int end = 0;
      while (m.find() && m.start() == end) {
        long n = Long.parseLong(m.group(1));
        d = d.plus(switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        });
        end = m.end();
      }
      if (t.isEmpty() || end != t.length()) {
        throw new IllegalArgumentException("'" + text + "' is not a duration such as 90s, 10m, 1h30m");
      }
    }
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("'" + text + "' is not a positive duration");
    }
    return d;
  }

  /**
   * When an {@code at TIME} means, relative to {@code now} (whose zone is the local one):
   * RFC 3339 ({@code 2026-12-01T09:00:00Z}), a local date and time ({@code 2026-12-01T09:00},
   * {@code 2026-12-01 09:00}), {@code HH:MM} (the next such time, today or tomorrow),
   * {@code today 18:00}, {@code tomorrow 09:00}, {@code now}, {@code noon}, {@code midnight},
   * {@code teatime} (16:00, as at(1) has it), {@code now + 10 minutes}, {@code +10m}, {@code in 2h}.
   */
  public static Instant at(String text, ZonedDateTime now) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    switch (t) {
      case "now" -> {
        return now.toInstant();
      }
      case "noon" -> {
        return next(now, LocalTime.NOON);
      }
      case "midnight" -> {
        return next(now, LocalTime.MIDNIGHT);
      }
      case "teatime" -> {
        return next(now, LocalTime.of(16, 0));
      }
      default -> { }
    }
    Matcher rel = RELATIVE.matcher(t);
    if (rel.matches()) {
      long n = Long.parseLong(rel.group(1));
      char unit = rel.group(2).charAt(0);
      Duration d = switch (unit) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        default -> Duration.ofDays(7 * n);
      };
      return now.toInstant().plus(d);
    }
    Matcher clock = CLOCK.matcher(t);
    if (clock.matches()) {
      LocalTime time = localTime(text, Integer.parseInt(clock.group(2)), Integer.parseInt(clock.group(3)));
      if (clock.group(1) == null) {
        return next(now, time);
      }
      LocalDate day = now.toLocalDate().plusDays("tomorrow".equals(clock.group(1)) ? 1 : 0);
      return day.atTime(time).atZone(now.getZone()).toInstant();
    }
    try {
      return OffsetDateTime.parse(text.trim()).toInstant();
    } catch (DateTimeException e) {
      // not RFC 3339: a local date and time?
    }
    try {
      return LocalDateTime.parse(text.trim().replace(' ', 'T')).atZone(now.getZone()).toInstant();
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("'" + text + "' is not a time; try 2026-12-01T09:00:00Z, 23:30, "
          + "'tomorrow 09:00', '+10m' or 'now + 1 hour'");
    }
  }

  private static LocalTime localTime(String text, int hour, int minute) {
    if (hour > 23 || minute > 59) {
      throw new IllegalArgumentException("'" + text + "' is not a time of day");
    }
    return LocalTime.of(hour, minute);
  }

  /** The next {@code time} after {@code now}: today if still ahead, else tomorrow. */
  private static Instant next(ZonedDateTime now, LocalTime time) {
    ZonedDateTime today = now.toLocalDate().atTime(time).atZone(now.getZone());
    return (today.isAfter(now) ? today : today.plusDays(1)).toInstant();
  }
}
