package dev.stevedore.agent.poll;

import java.time.DayOfWeek;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;

/**
 * A five-field cron expression (minute hour day-of-month month day-of-week, UTC) with {@code *},
 * lists, ranges and steps ({@code *}{@code /5}, {@code 1-10/2}, {@code 0,30}). Day of week 0 or 7 is Sunday.
 * When both day fields are restricted, either may match (as in Vixie cron).
 */
public final class CronExpression {
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet days;
  private final BitSet months;
  private final BitSet weekdays;
  private final boolean daysRestricted;
  private final boolean weekdaysRestricted;
  private final String text;

  private CronExpression(String text) {
    String[] f = text.trim().split("\\s+");
    if (f.length != 5) {
      throw new IllegalArgumentException("cron '" + text + "' must have 5 fields (minute hour day month weekday)");
    }
    this.text = text;
    minutes = field(f[0], 0, 59, "minute");
    hours = field(f[1], 0, 23, "hour");
    days = field(f[2], 1, 31, "day of month");
    months = field(f[3], 1, 12, "month");
    BitSet dow = field(f[4], 0, 7, "day of week");
    if (dow.get(7)) {
      dow.set(0);
    }
    weekdays = dow;
    daysRestricted = !f[2].equals("*");
    weekdaysRestricted = !f[4].equals("*");
  }

  public static CronExpression parse(String text) {
    return new CronExpression(text);
  }

  private static BitSet field(String spec, int min, int max, String name) {
    BitSet out = new BitSet();
    for (String part : spec.split(",")) {
      int step = 1;
      String range = part;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        step = number(part.substring(slash + 1), name);
        range = part.substring(0, slash);
        if (step <= 0) {
          throw new IllegalArgumentException("cron " + name + ": step must be positive");
        }
      }
      int from;
      int to;
      if (range.equals("*")) {
        from = min;
        to = max;
      } else if (range.contains("-")) {
        String[] ab = range.split("-", 2);
        from = number(ab[0], name);
        to = number(ab[1], name);
      } else {
        from = number(range, name);
        to = slash >= 0 ? max : from;
      }
      if (from < min || to > max || from > to) {
        throw new IllegalArgumentException("cron " + name + " '" + part + "' is outside " + min + "-" + max);
      }
      for (int i = from; i <= to; i += step) {
        out.set(i);
      }
    }
    return out;
  }

  private static int number(String s, String name) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("cron " + name + ": '" + s + "' is not a number");
    }
  }

  /** The first matching minute strictly after {@code after}. */
  public ZonedDateTime next(ZonedDateTime after) {
    ZonedDateTime t = after.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    for (int i = 0; i < 366 * 24 * 60; i++) {
      if (matches(t)) {
        return t;
      }
      t = t.plusMinutes(1);
    }
    throw new IllegalStateException("cron '" + text + "' matches no time within a year");
  }

  boolean matches(ZonedDateTime t) {
    if (!minutes.get(t.getMinute()) || !hours.get(t.getHour()) || !months.get(t.getMonthValue())) {
      return false;
    }
    boolean dom = days.get(t.getDayOfMonth());
    int dowValue = t.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : t.getDayOfWeek().getValue();
    boolean dow = weekdays.get(dowValue);
    if (daysRestricted && weekdaysRestricted) {
      return dom || dow;
    }
    return dom && dow;
  }
}
