package dev.stevedore.agent.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 7235): a scheme and its parameters, for
 * example {@code Bearer realm="https://auth.docker.io/token",service="registry.docker.io"}.
 * Parameter names are lower case; a {@code token68} form ({@code Basic abc==}) has no parameters.
 *
 * <p>{@link #parse} is strict: quoted strings with escapes (a comma inside quotes is text), one
 * header of at most {@link #MAX_HEADER} characters, at most {@link #MAX_PARAMS} parameters per
 * challenge, no parameter twice, nothing left over. Whatever it cannot read is an
 * {@link RegistryAuthException} that says where.
 */
public record Challenge(Scheme scheme, String schemeName, Map<String, String> params) {
  /** Longest header read; a registry's real challenges are a few hundred characters. */
  public static final int MAX_HEADER = 4096;
  static final int MAX_PARAMS = 16;

  /** The schemes the agent answers, and the rest. */
  public enum Scheme { BASIC, BEARER, OTHER }

  public Challenge {
    params = Map.copyOf(params);
  }

  public String param(String name) {
    return params.get(name);
  }

  /** Every challenge of one header value, in order. */
  public static List<Challenge> parse(String header) {
    if (header == null || header.isBlank()) {
      throw new RegistryAuthException("empty WWW-Authenticate header");
    }
    if (header.length() > MAX_HEADER) {
      throw new RegistryAuthException("WWW-Authenticate header of " + header.length() + " characters (at most "
          + MAX_HEADER + " are read)");
    }
    return new Parser(header).challenges();
  }

  private static final class Parser {
    private final String s;
    private int i;

    Parser(String s) {
      this.s = s;
    }

    List<Challenge> challenges() {
      List<Challenge> out = new ArrayList<>();
      skipListSeparators();
      while (i < s.length()) {
        out.add(challenge());
        skipListSeparators();
      }
      if (out.isEmpty()) {
        throw error("no challenge");
      }
      return out;
    }

    private Challenge challenge() {
      String name = token("an authentication scheme");
      Scheme scheme = switch (name.toLowerCase(Locale.ROOT)) {
        case "basic" -> Scheme.BASIC;
        case "bearer" -> Scheme.BEARER;
        default -> Scheme.OTHER;
      };
      Map<String, String> params = new LinkedHashMap<>();
      if (i < s.length() && s.charAt(i) != ',' && !isSpace(s.charAt(i))) {
        throw error("a space after the scheme " + name);
      }
      skipSpaces();
      if (i >= s.length() || s.charAt(i) == ',') {
        return new Challenge(scheme, name, params);
      }
      int mark = i;
      if (token68()) {
        return new Challenge(scheme, name, params);
      }
      i = mark;
      // #auth-param: name BWS "=" BWS ( token / quoted-string ), separated by commas; a token not
      // followed by "=" starts the next challenge
      while (true) {
        int start = i;
        String param = token("a parameter name").toLowerCase(Locale.ROOT);
        skipSpaces();
        if (i >= s.length() || s.charAt(i) != '=') {
          if (params.isEmpty()) {
            throw error("'=' after the parameter " + param);
          }
          i = start;   // the next challenge's scheme
          return new Challenge(scheme, name, params);
        }
        i++;
        skipSpaces();
        String value = i < s.length() && s.charAt(i) == '"' ? quoted() : token("the value of " + param);
        if (params.putIfAbsent(param, value) != null) {
          throw error("the parameter " + param + " twice");
        }
        if (params.size() > MAX_PARAMS) {
          throw error("more than " + MAX_PARAMS + " parameters");
        }
        skipSpaces();
        if (i >= s.length()) {
          return new Challenge(scheme, name, params);
        }
        if (s.charAt(i) != ',') {
          throw error("',' or the end after the parameter " + param);
        }
        skipListSeparators();
        if (i >= s.length()) {
          return new Challenge(scheme, name, params);
        }
      }
    }

    /** {@code token68} up to the end or a comma; false (position unspecified) when this is not one. */
    private boolean token68() {
      int start = i;
      while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) && s.charAt(i) < 128
          || "-._~+/".indexOf(s.charAt(i)) >= 0)) {
        i++;
      }
      if (i == start) {
        return false;
      }
      while (i < s.length() && s.charAt(i) == '=') {
        i++;
      }
      skipSpaces();
      if (i < s.length() && s.charAt(i) != ',') {
        return false;
      }
      return true;
    }

    private String token(String what) {
      int start = i;
      while (i < s.length() && isTokenChar(s.charAt(i))) {
        i++;
      }
      if (i == start) {
        throw error(what);
      }
      return s.substring(start, i);
    }

    private String quoted() {
      StringBuilder out = new StringBuilder();
      i++;   // opening quote
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '"') {
          return out.toString();
        }
        if (c == '\\') {
          if (i >= s.length()) {
            break;
          }
          c = s.charAt(i++);
        }
        if (c < 0x20 && c != '\t' || c == 0x7f) {
          throw error("no control character inside a quoted string");
        }
        out.append(c);
      }
      throw error("a closing quote");
    }

    private void skipSpaces() {
      while (i < s.length() && isSpace(s.charAt(i))) {
        i++;
      }
    }

    private void skipListSeparators() {
      while (i < s.length() && (isSpace(s.charAt(i)) || s.charAt(i) == ',')) {
        i++;
      }
    }

    private static boolean isSpace(char c) {
      return c == ' ' || c == '\t';
    }

    private static boolean isTokenChar(char c) {
      return c < 128 && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
    }

    private RegistryAuthException error(String expected) {
      return new RegistryAuthException("unreadable WWW-Authenticate header: expected " + expected + " at character "
          + i + " of " + s.length());
    }
  }
}
