package dev.stevedore.audit.store;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where a rollout is, as its events say: the status words of the {@code rollout.*} event types.
 * A rollout never moves back to a lower {@link #rank} (a late or replayed event of an earlier
 * stage does not reopen a finished rollout).
 */
public enum RolloutPhase {
  ROLLING_OUT("rolling-out", 0, false),
  HALTED("halted", 1, false),
  SUCCEEDED("succeeded", 2, true),
  ROLLED_BACK("rolled-back", 2, true),
  SUPERSEDED("superseded", 2, true);

  public static final List<String> WORDS = Arrays.stream(values()).map(RolloutPhase::word).toList();

  private final String word;
  private final int rank;
  private final boolean finished;

  RolloutPhase(String word, int rank, boolean finished) {
    this.word = word;
    this.rank = rank;
    this.finished = finished;
  }

  public String word() {
    return word;
  }

  /** True for the phases after which no event changes the rollout: its finish time is set. */
  public boolean finished() {
    return finished;
  }

  /** The later of the two: the current phase unless {@code next} ranks at least as high. */
  RolloutPhase advance(RolloutPhase next) {
    return next.rank >= rank ? next : this;
  }

  public static Optional<RolloutPhase> of(String word) {
    return Arrays.stream(values()).filter(p -> p.word.equals(word)).findFirst();
  }
}
