package dev.stevedore.trigger.rollout;

import java.util.Arrays;
import java.util.Locale;

/** Where a rollout stands ({@code RolloutState.phase}). */
public enum Phase {
  /** Requested; the coordinator has not planned it yet. */
  PENDING,
  /** A wave is under way, or the next one is due (or held by a pause). */
  RUNNING,
  /** Canary done; waiting out the bake time. */
  BAKING,
  /** Canary baked; waiting for {@code promote}. */
  AWAITING_PROMOTION,
  /** Halted; rollbacks under way. */
  ROLLING_BACK,
  /** Halted, nothing to roll back (final). */
  HALTED,
  /** Halted and the rollbacks are done (final). */
  ROLLED_BACK,
  /** Every wave done below the threshold (final). */
  SUCCEEDED,
  /** A newer request replaced it (final). */
  SUPERSEDED;

  public String word() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Phase of(String word) {
    return Arrays.stream(values()).filter(p -> p.word().equals(word)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown rollout phase '" + word + "'"));
  }

  /** Nothing more happens to a rollout in a final phase. */
  public boolean done() {
    return this == HALTED || this == ROLLED_BACK || this == SUCCEEDED || this == SUPERSEDED;
  }

  /** A newer request for the same key supersedes a rollout in these phases. */
  public boolean inFlight() {
    return this == PENDING || this == RUNNING || this == BAKING || this == AWAITING_PROMOTION;
  }
}
