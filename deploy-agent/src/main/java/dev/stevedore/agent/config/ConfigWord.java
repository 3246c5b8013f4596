package dev.stevedore.agent.config;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A word of a closed set in the agent's configuration ({@code driver: compose}). The file spells
 * it as documented, in any case (as every enum of the configuration); a blank value means "not
 * set" (the record's default applies); any other word is refused with the allowed ones named.
 */
public interface ConfigWord {
  /** The word as the configuration and the docs spell it: the constant's name in lower case, {@code _} as {@code -}. */
  @JsonValue
  default String word() {
    return ((Enum<?>) this).name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The constant whose word is {@code text} (ignoring case), {@code null} when {@code text} is
   * null or blank.
   *
   * @throws IllegalArgumentException naming {@code key} and the allowed words, for any other text
   */
  static <E extends Enum<E> & ConfigWord> E parse(String key, String text, E[] values) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String lower = text.strip().toLowerCase(Locale.ROOT);
    for (E value : values) {
      if (value.word().equals(lower)) {
        return value;
      }
    }
    throw new IllegalArgumentException(key + " must be " + allowed(values) + ", not '" + text + "'");
  }

  /** {@code a, b or c}. */
  static <E extends Enum<E> & ConfigWord> String allowed(E[] values) {
    String words = Arrays.stream(values).map(ConfigWord::word).collect(Collectors.joining(", "));
    int last = words.lastIndexOf(", ");
    return last < 0 ? words : words.substring(0, last) + " or " + words.substring(last + 2);
  }
}
