package dev.stevedore.trigger.rollout;

import java.util.Arrays;
import java.util.Locale;

/** Where one host of a rollout stands ({@code RolloutState.hosts[].state}). */
public enum HostPhase {
  PENDING, REQUESTED, SUCCEEDED, FAILED, SKIPPED, UNREACHED, ROLLING_BACK, ROLLED_BACK, ROLLBACK_FAILED;

  public String word() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static HostPhase of(String word) {
    return Arrays.stream(values()).filter(p -> p.word().equals(word)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown host state '" + word + "'"));
  }

  /** The host's part in its wave is over. */
  public boolean decided() {
    return this != PENDING && this != REQUESTED;
  }
}
