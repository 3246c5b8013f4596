package dev.stevedore.common.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
  private static final ZonedDateTime T = ZonedDateTime.parse("2026-03-04T10:07:30Z"); // a Wednesday

  /** The next {@code n} times after {@code T}, as instants in UTC text. */
  private static List<String> times(String cron, String zone, int n) {
    CronSchedule s = CronSchedule.parse(cron, zone);
    List<String> out = new ArrayList<>();
    ZonedDateTime t = T;
    for (int i = 0; i < n; i++) {
      t = s.next(t).orElseThrow();
      out.add(t.toInstant().toString());
    }
    return out;
  }

  @Test
  void stepsListsRangesAndWeekdays() {
    assertThat(times("*/5 * * * *", null, 2)).containsExactly("2026-03-04T10:10:00Z", "2026-03-04T10:15:00Z");
    assertThat(times("30 2 * * *", null, 1)).containsExactly("2026-03-05T02:30:00Z");
    assertThat(times("0 9-17/4 * * 1-5", null, 1)).containsExactly("2026-03-04T13:00:00Z");
    assertThat(times("0 0 * * 0", null, 1)).containsExactly("2026-03-08T00:00:00Z");
    assertThat(times("0 0 * * 7", null, 1)).containsExactly("2026-03-08T00:00:00Z");
    assertThat(times("15,45 10 * * *", null, 2)).containsExactly("2026-03-04T10:15:00Z", "2026-03-04T10:45:00Z");
  }

  @Test
  void namesOfDaysAndMonths() {
    assertThat(times("0 0 * * MON", null, 2)).containsExactly("2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z");
    assertThat(times("0 0 1 JAN *", null, 1)).containsExactly("2027-01-01T00:00:00Z");
    assertThat(times("0 12 * * MON-FRI", null, 3))
        .containsExactly("2026-03-04T12:00:00Z", "2026-03-05T12:00:00Z", "2026-03-06T12:00:00Z");
  }

  @Test
  void nicknames() {
    assertThat(times("@daily", null, 1)).containsExactly("2026-03-05T00:00:00Z");
    assertThat(times("@midnight", null, 1)).containsExactly("2026-03-05T00:00:00Z");
    assertThat(times("@hourly", null, 1)).containsExactly("2026-03-04T11:00:00Z");
    assertThat(times("@weekly", null, 1)).containsExactly("2026-03-08T00:00:00Z");
    assertThat(times("@monthly", null, 1)).containsExactly("2026-04-01T00:00:00Z");
    assertThat(times("@yearly", null, 1)).containsExactly("2027-01-01T00:00:00Z");
    assertThat(times("@annually", null, 1)).containsExactly("2027-01-01T00:00:00Z");
  }

  /** Vixie cron: both day fields restricted (neither starts with *): either may match. */
  @Test
  void restrictedDayFieldsAreEither() {
    // the 1st of the month, or a Monday
    assertThat(times("0 0 1 * 1", null, 5)).containsExactly("2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z",
        "2026-03-23T00:00:00Z", "2026-03-30T00:00:00Z", "2026-04-01T00:00:00Z");
  }

  /**
   * Vixie cron: a day field that starts with * (a step such as * /2 included) makes the two day
   * fields both apply. The hand-written parser before cron-utils (and cron-utils' own UNIX
   * definition) took {@code *}{@code /2} as restricted and ran on every odd day and every Monday.
   */
  @Test
  void aStarStepInADayFieldMeansBoth() {
    // Mondays that are odd days of the month
    assertThat(times("0 0 */2 * 1", null, 3))
        .containsExactly("2026-03-09T00:00:00Z", "2026-03-23T00:00:00Z", "2026-04-13T00:00:00Z");
    // odd days (any weekday): the day-of-week field is *
    assertThat(times("0 0 */2 * *", null, 2)).containsExactly("2026-03-05T00:00:00Z", "2026-03-07T00:00:00Z");
  }

  @Test
  void timeZonesAndSummerTime() {
    // 02:30 in Berlin is 01:30 UTC in winter, 00:30 UTC in summer (from 2026-03-29)
    assertThat(times("30 2 * * *", "Europe/Berlin", 1)).containsExactly("2026-03-05T01:30:00Z");
    CronSchedule berlin = CronSchedule.parse("30 2 * * *", "Europe/Berlin");
    ZonedDateTime afterSwitch = berlin.next(ZonedDateTime.parse("2026-03-30T12:00:00Z")).orElseThrow();
    assertThat(afterSwitch.toInstant().toString()).isEqualTo("2026-03-31T00:30:00Z");
    assertThat(berlin.zone().getId()).isEqualTo("Europe/Berlin");
  }

  @Test
  void rejectsMalformedExpressionsNamingThem() {
    assertThatThrownBy(() -> CronSchedule.parse("* * *", null)).hasMessageContaining("'* * *'").hasMessageContaining("5 fields");
    assertThatThrownBy(() -> CronSchedule.parse("61 * * * *", null)).hasMessageContaining("'61 * * * *'");
    assertThatThrownBy(() -> CronSchedule.parse("x * * * *", null)).hasMessageContaining("'x * * * *'");
    assertThatThrownBy(() -> CronSchedule.parse("0 0 * * 8", null)).hasMessageContaining("'0 0 * * 8'");
    assertThatThrownBy(() -> CronSchedule.parse("@reboot", null)).hasMessageContaining("unknown nickname");
    assertThatThrownBy(() -> CronSchedule.parse("0 0 31 2 *", null)).hasMessageContaining("no time that exists");
    assertThatThrownBy(() -> CronSchedule.parse("", null)).hasMessageContaining("empty");
    assertThatThrownBy(() -> CronSchedule.parse("0 0 * * *", "Mars/Olympus")).hasMessageContaining("Mars/Olympus");
  }
}
