package dev.stevedore.trigger.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.trigger.schedule.Schedule.State;
import dev.stevedore.trigger.schedule.ScheduleBook.Entry;
import dev.stevedore.trigger.schedule.ScheduleBook.Outcome;
import dev.stevedore.trigger.schedule.ScheduleBook.Position;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The fold of the schedule topic: every transition of the table in ScheduleBook's javadoc. */
class ScheduleBookTest {
  static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");
  static final Schedule PENDING = new Schedule("s1", "web", "production", "v2", T0.plusSeconds(60), "why", "api:alice",
      T0, State.PENDING, T0, "api:alice");

  static ScheduleChange change(State state, String claim) {
    return new ScheduleChange(PENDING.with(state, T0.plusSeconds(1), "by-" + state.word()), claim, "t1");
  }

  static Entry entry(State state, String claim) {
    return new Entry(PENDING.with(state, T0, "x"), claim, new Position(0, 5));
  }

  static Outcome decide(Entry current, State to) {
    return ScheduleBook.decide(current, change(to, to == State.FIRING ? "claim-new" : null), new Position(0, 9));
  }

  @Test
  void theFirstRecordOfAnIdIsTakenWhateverItsStateForCompactionMayHaveLeftAnyOne() {
    for (State s : State.values()) {
      Outcome o = decide(null, s);
      assertThat(o).isInstanceOf(Outcome.Applied.class);
      assertThat(((Outcome.Applied) o).entry().schedule().state()).isEqualTo(s);
      assertThat(((Outcome.Applied) o).entry().position()).isEqualTo(new Position(0, 9));
    }
  }

  @Test
  void pendingMovesToFiringWithTheWinningClaimOrToCancelledOrFiredAndIgnoresADuplicate() {
    Outcome firing = decide(entry(State.PENDING, null), State.FIRING);
    assertThat(((Outcome.Applied) firing).entry().claim()).isEqualTo("claim-new");
    assertThat(((Outcome.Applied) firing).entry().schedule().state()).isEqualTo(State.FIRING);
    assertThat(((Outcome.Applied) decide(entry(State.PENDING, null), State.CANCELLED)).entry().schedule().changedBy())
        .isEqualTo("by-cancelled");
    assertThat(decide(entry(State.PENDING, null), State.FIRED)).isInstanceOf(Outcome.Applied.class);
    assertThat(decide(entry(State.PENDING, null), State.PENDING)).isEqualTo(
        new Outcome.Ignored("schedule s1 is pending already (a duplicate)", false));
  }

  @Test
  void firingOnlyMovesToFiredTheFirstClaimWinsAndACancelComesTooLate() {
    Outcome fired = decide(entry(State.FIRING, "claim-old"), State.FIRED);
    assertThat(((Outcome.Applied) fired).entry().claim()).as("the claim that won stays").isEqualTo("claim-old");
    assertThat(decide(entry(State.FIRING, "claim-old"), State.FIRING))
        .isEqualTo(new Outcome.Ignored("schedule s1 is claimed already by claim-old", false));
    Outcome cancel = decide(entry(State.FIRING, "claim-old"), State.CANCELLED);
    assertThat(cancel).isInstanceOf(Outcome.Ignored.class);
    assertThat(((Outcome.Ignored) cancel).regression()).isTrue();
    assertThat(((Outcome.Ignored) decide(entry(State.FIRING, "c"), State.PENDING)).regression()).isTrue();
  }

  @Test
  void finishedSchedulesNeverMoveAndAStaleOrReplayedRecordIsARegression() {
    for (State done : new State[] {State.FIRED, State.CANCELLED}) {
      for (State to : State.values()) {
        Outcome o = decide(entry(done, "c"), to);
        assertThat(o).isInstanceOf(Outcome.Ignored.class);
        assertThat(((Outcome.Ignored) o).regression()).as(done + " + " + to).isEqualTo(to != done);
      }
    }
  }

  @Test
  void aTransitionKeepsTheTargetAsFirstRecorded() {
    ScheduleBook book = new ScheduleBook();
    book.apply(new ScheduleChange(PENDING, null, "t1"), new Position(0, 0));
    Schedule forged = new Schedule("s1", "web", "production", "v666", T0, "x", "x", T0, State.CANCELLED, T0, "x");
    book.apply(new ScheduleChange(forged, null, "t2"), new Position(0, 1));
    Schedule now = book.get("s1").orElseThrow().schedule();
    assertThat(now.state()).isEqualTo(State.CANCELLED);
    assertThat(now.version()).isEqualTo("v2");
    assertThat(now.notBefore()).isEqualTo(PENDING.notBefore());
    assertThat(book.pending()).isEmpty();
  }
}
