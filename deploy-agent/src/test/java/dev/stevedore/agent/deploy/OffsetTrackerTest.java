package dev.stevedore.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
  @Test
  void commitsOnlyOverAContiguousRunOfFinishedRecords() {
    OffsetTracker t = new OffsetTracker();
    t.track(0, 10);
    t.track(0, 11);
    t.track(0, 12);
    assertThat(t.done(0, 11)).isEmpty();
    assertThat(t.done(0, 10)).hasValue(12);
    assertThat(t.done(0, 12)).hasValue(13);
    assertThat(t.inFlight()).isZero();
  }

  @Test
  void partitionsAreIndependentAndUnknownOffsetsIgnored() {
    OffsetTracker t = new OffsetTracker();
    t.track(0, 1);
    t.track(1, 5);
    assertThat(t.done(1, 5)).hasValue(6);
    assertThat(t.done(0, 99)).isEmpty();
    t.forget(0);
    assertThat(t.done(0, 1)).isEmpty();
  }
}
