package dev.stevedore.cli.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimesTest {
  /** 10:30 local time in Berlin (09:30 UTC). */
  private static final ZonedDateTime NOW = ZonedDateTime.of(2026, 11, 29, 10, 30, 0, 0, ZoneId.of("Europe/Berlin"));

  @ParameterizedTest
  @CsvSource({"90s,PT1M30S", "10m,PT10M", "1h30m,PT1H30M", "2d,PT48H", "500ms,PT0.5S", "PT5M,PT5M", "pt1h,PT1H"})
  void durations(String text, String iso) {
    assertThat(Times.duration(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "10", "m", "10x", "1h 30m", "-5m", "0s", "PT-1M", "10m5"})
  void badDurationsAreRefusedWithTheText(String text) {
    assertThatThrownBy(() -> Times.duration(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + text + "'");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "now|2026-11-29T09:30:00Z",
      "+10m|2026-11-29T09:40:00Z",
      "now + 1 hour|2026-11-29T10:30:00Z",
      "NOW+2 days|2026-12-01T09:30:00Z",
      "in 90 seconds|2026-11-29T09:31:30Z",
      "in 1 week|2026-12-06T09:30:00Z",
      "23:30|2026-11-29T22:30:00Z",
      "09:00|2026-11-30T08:00:00Z",
      "tomorrow 09:00|2026-11-30T08:00:00Z",
      "today 18:00|2026-11-29T17:00:00Z",
      "noon|2026-11-29T11:00:00Z",
      "midnight|2026-11-29T23:00:00Z",
      "teatime|2026-11-29T15:00:00Z",
      "2026-12-01T09:00:00Z|2026-12-01T09:00:00Z",
      "2026-12-01T09:00:00+01:00|2026-12-01T08:00:00Z",
      "2026-12-01 09:00|2026-12-01T08:00:00Z",
      "2026-12-01T09:00|2026-12-01T08:00:00Z"})
  void atTimes(String text, String expected) {
    assertThat(Times.at(text, NOW)).isEqualTo(Instant.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "soon", "25:00", "12:60", "now - 1 hour", "+10 fortnights", "2026-13-01T00:00:00Z", "tomorrow"})
  void badTimesAreRefusedWithExamples(String text) {
    assertThatThrownBy(() -> Times.at(text, NOW)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + text + "'");
  }
}
