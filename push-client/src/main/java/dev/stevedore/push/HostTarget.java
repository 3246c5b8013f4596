package dev.stevedore.push;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One {@code --host user@name[:port]} of a push (port 22 when omitted; IPv6 in brackets). */
public record HostTarget(String user, String host, int port) {
  private static final Pattern SPEC = Pattern.compile(
      "^([a-z_][a-z0-9_.-]{0,31})@(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9][A-Za-z0-9.-]{0,252})(?::([0-9]{1,5}))?$");

  public HostTarget {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1-65535");
    }
  }

  public static HostTarget parse(String spec) {
    Matcher m = SPEC.matcher(spec == null ? "" : spec);
    if (!m.matches()) {
      throw new IllegalArgumentException("--host must be user@host[:port] (for example deploy@web-1:22), not '"
          + (spec == null ? "" : spec.replaceAll("[^\\x20-\\x7e]", "?")) + "'");
    }
    String host = m.group(2);
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    return new HostTarget(m.group(1), host, m.group(3) == null ? 22 : Integer.parseInt(m.group(3)));
  }

  /** How the host is named in the output ({@code web-1}, or {@code web-1:2222} on another port). */
  public String label() {
    return port == 22 ? host : host + ":" + port;
  }
}
