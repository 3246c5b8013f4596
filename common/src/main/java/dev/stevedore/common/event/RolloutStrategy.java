package dev.stevedore.common.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a rollout reaches the hosts ({@code policy.strategy}). Events, configuration and the API
 * spell it as {@link #word()} ({@code all-at-once}, {@code rolling}, {@code canary}); reading
 * ignores case, and any other word is refused with the allowed ones named.
 */
public enum RolloutStrategy {
  /** One wave with every host. */
  ALL_AT_ONCE,
  /** Waves of a fixed size, one after the other. */
  ROLLING,
  /** A first small wave that must bake healthy, then rolling waves. */
  CANARY;

  /** The word as events and the docs spell it. */
  @JsonValue
  public String word() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The strategy named {@code text}.
   *
   * @throws IllegalArgumentException for a missing or unknown word, naming the allowed ones
   */
  @JsonCreator
  public static RolloutStrategy of(String text) {
    String lower = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    for (RolloutStrategy s : values()) {
      if (s.word().equals(lower)) {
        return s;
      }
    }
    String words = Arrays.stream(values()).map(RolloutStrategy::word).collect(Collectors.joining(", "));
    int last = words.lastIndexOf(", ");
    String allowed = words.substring(0, last) + " or " + words.substring(last + 2);
    throw new IllegalArgumentException("policy.strategy must be " + allowed + ", not '" + text + "'");
  }

  @Override
  public String toString() {
    return word();
  }
}
