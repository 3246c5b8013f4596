package dev.stevedore.common.time;

import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A Vixie cron schedule (the five fields of crontab(5): minute hour day-of-month month
 * day-of-week), read by cron-utils, in a time zone.
 *
 * <p>Supported as in Vixie cron: lists, ranges, steps ({@code *}{@code /15}, {@code 1-10/2}), names
 * ({@code MON}, {@code JAN}), day of week 0 or 7 for Sunday, and the nicknames {@code @yearly},
 * {@code @annually}, {@code @monthly}, {@code @weekly}, {@code @daily}, {@code @midnight},
 * {@code @hourly} ({@code @reboot} means nothing to a poll and is refused).
 *
 * <p>The day rule is Vixie's, which cron-utils' own UNIX definition does not follow: when the
 * day-of-month and the day-of-week fields both start with something other than {@code *}, a day
 * matches if <em>either</em> matches ({@code 0 0 1 * MON}: the first of the month and every Monday);
 * when either starts with {@code *} (including a step such as {@code *}{@code /2}), both must
 * match ({@code 0 0 *}{@code /2 * MON}: Mondays on odd days). The OR case is the earlier of two
 * schedules, one with each day field alone.
 */
public final class CronSchedule {
  /** Five UNIX fields; day fields are ANDed here and ORed by {@link #next} where Vixie ORs them. */
  private static final CronDefinition FIELDS = CronDefinitionBuilder.defineCron()
      .withMinutes().withValidRange(0, 59).withStrictRange().and()
      .withHours().withValidRange(0, 23).withStrictRange().and()
      .withDayOfMonth().withValidRange(1, 31).withStrictRange().and()
      .withMonth().withValidRange(1, 12).withStrictRange().and()
      .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).withStrictRange().and()
      .matchDayOfWeekAndDayOfMonth()
      .instance();
  private static final CronParser PARSER = new CronParser(FIELDS);

  private static final Map<String, String> NICKNAMES = Map.of(
      "@yearly", "0 0 1 1 *",
      "@annually", "0 0 1 1 *",
      "@monthly", "0 0 1 * *",
      "@weekly", "0 0 * * 0",
      "@daily", "0 0 * * *",
      "@midnight", "0 0 * * *",
      "@hourly", "0 * * * *");

  private final String text;
  private final ZoneId zone;
  private final List<ExecutionTime> alternatives;

  private CronSchedule(String text, ZoneId zone, List<ExecutionTime> alternatives) {
    this.text = text;
    this.zone = zone;
    this.alternatives = alternatives;
  }

  /**
   * Reads {@code text} in the time zone {@code zone} (an IANA name such as {@code Europe/Berlin}, or
   * {@code UTC}; null or blank means UTC).
   *
   * @throws IllegalArgumentException naming the expression and what is wrong with it
   */
  public static CronSchedule parse(String text, String zone) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("cron expression is empty");
    }
    ZoneId zoneId;
    try {
      zoneId = zone == null || zone.isBlank() ? ZoneId.of("UTC") : ZoneId.of(zone.trim());
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("time zone '" + zone + "' is not known (use an IANA name such as Europe/Berlin)");
    }
    String expression = text.trim();
    if (expression.startsWith("@")) {
      String fields = NICKNAMES.get(expression.toLowerCase(Locale.ROOT));
      if (fields == null) {
        throw new IllegalArgumentException("cron '" + text + "': unknown nickname (known: " + String.join(", ",
            NICKNAMES.keySet().stream().sorted().toList()) + ")");
      }
      expression = fields;
    }
    String[] f = expression.split("\\s+");
    if (f.length != 5) {
      throw new IllegalArgumentException("cron '" + text + "' must have 5 fields (minute hour day-of-month month day-of-week)");
    }
    boolean either = !f[2].startsWith("*") && !f[4].startsWith("*");
    List<String> forms = either
        ? List.of(String.join(" ", f[0], f[1], f[2], f[3], "*"), String.join(" ", f[0], f[1], "*", f[3], f[4]))
        : List.of(expression);
    CronSchedule schedule;
    try {
      schedule = new CronSchedule(text.trim(), zoneId,
          forms.stream().map(form -> ExecutionTime.forCron(PARSER.parse(form))).toList());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cron '" + text + "': " + e.getMessage());
    }
    if (schedule.next(ZonedDateTime.of(2000, 1, 1, 0, 0, 0, 0, zoneId)).isEmpty()) {
      throw new IllegalArgumentException("cron '" + text + "' names no time that exists (a day the month never has?)");
    }
    return schedule;
  }

  /** The first time strictly after {@code now} that the schedule names, or empty if it never does. */
  public Optional<ZonedDateTime> next(ZonedDateTime now) {
    ZonedDateTime local = now.withZoneSameInstant(zone);
    return alternatives.stream()
        .map(t -> t.nextExecution(local))
        .flatMap(Optional::stream)
        .min(ZonedDateTime::compareTo);
  }

  public ZoneId zone() {
    return zone;
  }

  @Override
  public String toString() {
    return text + " (" + zone + ")";
  }
}
