package dev.stevedore.trigger.hooks;

import java.util.regex.Pattern;

/** Branch and tag globs: {@code *} any characters but {@code /}, {@code **} any characters, {@code ?} one. */
public final class Globs {
  private Globs() {}

  public static Pattern compile(String glob) {
    StringBuilder regex = new StringBuilder("^");
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*') {
        if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
          regex.append(".*");
          i++;
        } else {
          regex.append("[^/]*");
        }
      } else if (c == '?') {
        regex.append("[^/]");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.append('$').toString());
  }

  public static boolean matches(String glob, String value) {
    return compile(glob).matcher(value).matches();
  }
}
