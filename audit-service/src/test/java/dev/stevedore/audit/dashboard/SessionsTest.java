package dev.stevedore.audit.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionsTest {
  static final class MutableClock extends Clock {
    Instant now = Instant.parse("2026-03-01T10:00:00Z");

    @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public Instant instant() { return now; }
  }

  @Test
  void anIdIsRandomOpaqueAndMapsToThePrincipalUntilItExpires() {
    MutableClock clock = new MutableClock();
    Sessions sessions = new Sessions(clock, Duration.ofHours(8), 100);
    String id = sessions.create("reader");
    assertThat(id).hasSize(43).matches("[A-Za-z0-9_-]+").doesNotContain("reader");
    assertThat(sessions.principal(id)).contains("reader");
    clock.now = clock.now.plus(Duration.ofHours(8)).minusMillis(1);
    assertThat(sessions.principal(id)).contains("reader");
    clock.now = clock.now.plusMillis(1);
    assertThat(sessions.principal(id)).isEmpty();
    assertThat(sessions.size()).isZero();
  }

  @Test
  void unknownMalformedAndRemovedIdsHaveNoPrincipal() {
    Sessions sessions = new Sessions(new MutableClock(), Duration.ofMinutes(5), 100);
    String id = sessions.create("reader");
    assertThat(sessions.principal(null)).isEmpty();
    assertThat(sessions.principal("")).isEmpty();
    assertThat(sessions.principal(id + "x")).isEmpty();
    assertThat(sessions.principal(id.substring(0, 42) + (id.charAt(42) == 'A' ? 'B' : 'A'))).isEmpty();
    sessions.remove(id);
    assertThat(sessions.principal(id)).isEmpty();
  }

  @Test
  void idsDoNotRepeatAndTheOldestGoesWhenFull() {
    MutableClock clock = new MutableClock();
    Sessions sessions = new Sessions(clock, Duration.ofHours(1), 3);
    Set<String> ids = new HashSet<>();
    String first = sessions.create("a");
    ids.add(first);
    for (int i = 0; i < 3; i++) {
      clock.now = clock.now.plusSeconds(1);
      ids.add(sessions.create("b"));
    }
    assertThat(ids).hasSize(4);
    assertThat(sessions.size()).isEqualTo(3);
    assertThat(sessions.principal(first)).isEmpty();
  }

  @Test
  void refusesANonPositiveLifetime() {
    assertThatThrownBy(() -> new Sessions(Clock.systemUTC(), Duration.ZERO, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Sessions(Clock.systemUTC(), Duration.ofMinutes(1), 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
