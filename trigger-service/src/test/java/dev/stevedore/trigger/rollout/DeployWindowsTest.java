package dev.stevedore.trigger.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.trigger.rollout.DeployWindows.Decision;
import dev.stevedore.trigger.rollout.RolloutSettings.Window;
import dev.stevedore.trigger.rollout.RolloutSettings.Windows;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeployWindowsTest {
  // 2026-11-30 is a Monday.
  static final Window OFFICE_HOURS = new Window("office hours", "allow", "0 9 * * MON-FRI", "Europe/Berlin", "PT8H");
  static final Window YEAR_END = new Window("year end", "deny", "0 0 20 12 *", null, "P14D");
  static final Window FRIDAY_AFTERNOON = new Window("friday", "deny", "0 14 * * FRI", "UTC", "PT10H");

  static DeployWindows windows(String outside, Window... w) {
    return new DeployWindows(Map.of("production", new Windows(outside, List.of(w))));
  }

  static Instant at(String t) {
    return Instant.parse(t);
  }

  @Test
  void anEnvironmentWithoutWindowsIsAlwaysOpen() {
    DeployWindows w = windows("wait", OFFICE_HOURS);
    assertThat(w.decide("staging", at("2026-12-25T03:00:00Z")).open()).isTrue();
    assertThat(w.configured("staging")).isFalse();
    assertThat(new DeployWindows(null).decide("production", at("2026-12-25T03:00:00Z")).open()).isTrue();
  }

  @Test
  void insideAnAllowWindowItIsOpenAndOutsideItNamesTheNextOpening() {
    DeployWindows w = windows("wait", OFFICE_HOURS);
    // Monday 10:00 Berlin (09:00 UTC): open.
    assertThat(w.decide("production", at("2026-11-30T09:00:00Z")).open()).isTrue();
    // The window is [09:00, 17:00) Berlin: 16:00 UTC is 17:00 Berlin, closed.
    Decision evening = w.decide("production", at("2026-11-30T16:00:00Z"));
    assertThat(evening.open()).isFalse();
    assertThat(evening.refuse()).isFalse();
    assertThat(evening.reason()).contains("outside the deploy windows");
    assertThat(evening.opensAt()).contains(at("2026-12-01T08:00:00Z"));
    // Saturday: the next opening is Monday 09:00 Berlin.
    assertThat(w.decide("production", at("2026-12-05T12:00:00Z")).opensAt()).contains(at("2026-12-07T08:00:00Z"));
    // The last minute inside is open, the first minute after is not.
    assertThat(w.decide("production", at("2026-11-30T15:59:00Z")).open()).isTrue();
    assertThat(w.decide("production", at("2026-11-30T07:59:59Z")).open()).isFalse();
    assertThat(w.decide("production", at("2026-11-30T08:00:00Z")).open()).isTrue();
  }

  @Test
  void aFreezeBeatsAnAllowWindowAndTheOpeningIsTheFirstAllowedTimeAfterIt() {
    DeployWindows w = windows("refuse", OFFICE_HOURS, YEAR_END);
    // Monday 21 December 2026, 10:00 Berlin: inside office hours, but frozen.
    Decision d = w.decide("production", at("2026-12-21T09:00:00Z"));
    assertThat(d.open()).isFalse();
    assertThat(d.refuse()).isTrue();
    assertThat(d.reason()).contains("freeze year end");
    // The freeze ends 2027-01-03T00:00Z (a Sunday): the next office hours are Monday 4 January 09:00 Berlin.
    assertThat(d.opensAt()).contains(at("2027-01-04T08:00:00Z"));
  }

  @Test
  void aFreezeAloneClosesOnlyWhileItLasts() {
    DeployWindows w = windows("wait", FRIDAY_AFTERNOON);
    assertThat(w.decide("production", at("2026-12-04T13:59:00Z")).open()).isTrue();
    Decision d = w.decide("production", at("2026-12-04T20:00:00Z"));
    assertThat(d.open()).isFalse();
    assertThat(d.opensAt()).contains(at("2026-12-05T00:00:00Z"));
    assertThat(w.decide("production", at("2026-12-05T00:00:00Z")).open()).isTrue();
  }

  @Test
  void overlappingFreezesAreWaitedOutOneAfterTheOther() {
    Window first = new Window("a", "deny", "0 0 1 6 *", null, "P2D");
    Window second = new Window("b", "deny", "0 0 2 6 *", null, "P3D");
    Decision d = windows("wait", first, second).decide("production", at("2027-06-01T12:00:00Z"));
    assertThat(d.opensAt()).contains(at("2027-06-05T00:00:00Z"));
  }

  @Test
  void anAllowWindowThatNeverOpensOutsideAFreezeGivesNoOpening() {
    Window rarely = new Window("new year", "allow", "0 0 1 1 *", null, "PT1H");
    Window always = new Window("forever", "deny", "0 0 1 1 *", null, "PT2H");
    Decision d = windows("refuse", rarely, always).decide("production", at("2027-03-01T00:00:00Z"));
    assertThat(d.open()).isFalse();
    assertThat(d.opensAt()).isEqualTo(Optional.empty());
  }

  @Test
  void aBadWindowIsRefusedAtLoadWithItsName() {
    assertThatThrownBy(() -> new Window("nightly", "allow", "0 25 * * *", null, "PT1H"))
        .hasMessageContaining("deploy window 'nightly'").hasMessageContaining("'0 25 * * *'");
    assertThatThrownBy(() -> new Window("nightly", "allow", "0 2 * * *", "Mars/Olympus", "PT1H"))
        .hasMessageContaining("deploy window 'nightly'").hasMessageContaining("Mars/Olympus");
    assertThatThrownBy(() -> new Window("nightly", "maybe", "0 2 * * *", null, "PT1H"))
        .hasMessageContaining("kind must be allow or deny");
    assertThatThrownBy(() -> new Window("nightly", "deny", "0 2 * * *", null, "8 hours"))
        .hasMessageContaining("'8 hours'");
    assertThatThrownBy(() -> new Window("nightly", "deny", "0 2 * * *", null, "PT0S"))
        .hasMessageContaining("above zero");
    assertThatThrownBy(() -> new Window("nightly", "deny", "0 2 * * *", null, null))
        .hasMessageContaining("deploy window 'nightly'");
    assertThatThrownBy(() -> new Windows("later", List.of())).hasMessageContaining("wait or refuse");
    assertThatThrownBy(() -> new RolloutSettings(false, 0, 0, null, null, null, null, 0,
        Map.of("production", new Windows(null, List.of(OFFICE_HOURS))))).hasMessageContaining("rollouts.enabled");
  }
}
