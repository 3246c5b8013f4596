package dev.stevedore.agent.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class CronExpressionTest {
  private static final ZonedDateTime T = ZonedDateTime.parse("2026-03-04T10:07:30Z"); // a Wednesday

  @Test
  void everyFiveMinutes() {
    assertThat(CronExpression.parse("*/5 * * * *").next(T)).isEqualTo(ZonedDateTime.parse("2026-03-04T10:10:00Z"));
  }

  @Test
  void dailyAtATime() {
    assertThat(CronExpression.parse("30 2 * * *").next(T)).isEqualTo(ZonedDateTime.parse("2026-03-05T02:30:00Z"));
  }

  @Test
  void listsRangesAndWeekdays() {
    assertThat(CronExpression.parse("0 9-17/4 * * 1-5").next(T)).isEqualTo(ZonedDateTime.parse("2026-03-04T13:00:00Z"));
    assertThat(CronExpression.parse("0 0 * * 0").next(T)).isEqualTo(ZonedDateTime.parse("2026-03-08T00:00:00Z"));
    assertThat(CronExpression.parse("0 0 * * 7").next(T)).isEqualTo(ZonedDateTime.parse("2026-03-08T00:00:00Z"));
    assertThat(CronExpression.parse("15,45 10 * * *").next(T)).isEqualTo(ZonedDateTime.parse("2026-03-04T10:15:00Z"));
  }

  @Test
  void rejectsMalformedExpressions() {
    assertThatThrownBy(() -> CronExpression.parse("* * *")).hasMessageContaining("5 fields");
    assertThatThrownBy(() -> CronExpression.parse("61 * * * *")).hasMessageContaining("minute");
    assertThatThrownBy(() -> CronExpression.parse("x * * * *")).hasMessageContaining("not a number");
    assertThatThrownBy(() -> CronExpression.parse("*/0 * * * *")).hasMessageContaining("positive");
  }
}
