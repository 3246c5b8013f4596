package dev.stevedore.cli.out;

/**
 * Makes text from a server safe to print on a terminal: control characters (C0, DEL, C1), line
 * and paragraph separators and the bidirectional overrides are shown as escapes ({@code \n},
 * {@code \e}, {@code \u202e}), so a version, reason or host name cannot move the cursor, clear the
 * screen, start a new line that looks like ours, or reverse the text around it.
 */
public final class Safe {
  private Safe() {}

  /** Whether {@code c} must not reach a terminal as it is. */
  public static boolean unsafe(int c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f)
        || c == 0x061c || c == 0x200e || c == 0x200f || c == 0x2028 || c == 0x2029
        || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
  }

  /** {@code text} with every unsafe character escaped; {@code null} stays {@code null}. */
  public static String text(String text) {
    if (text == null || text.codePoints().noneMatch(Safe::unsafe)) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    text.codePoints().forEach(c -> {
      if (!unsafe(c)) {
        out.appendCodePoint(c);
        return;
      }
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case 0x1b -> out.append("\\e");
        default -> out.append(String.format("\\u%04x", c));
      }
    });
    return out.toString();
  }

  /** {@link #text} of any value's string form; {@code null} prints as {@code -}. */
  public static String cell(Object value) {
    return value == null ? "-" : text(String.valueOf(value));
  }
}
