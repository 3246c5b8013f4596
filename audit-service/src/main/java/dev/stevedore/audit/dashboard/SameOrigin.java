package dev.stevedore.audit.dashboard;

import java.net.URI;
import java.util.Locale;

/**
 * The CSRF rule for the dashboard's POSTs (login, logout), besides the SameSite=Strict cookie: the
 * request must carry an {@code Origin} header naming exactly this server (scheme, host and port of
 * the request's {@code Host}). A missing, {@code null} or foreign origin is refused.
 */
public final class SameOrigin {
  private SameOrigin() {}

  /** {@code tls}: whether the request came over TLS; {@code host}: its Host header (host[:port]). */
  public static boolean allows(String origin, String host, boolean tls) {
    if (origin == null || host == null || origin.isBlank() || host.isBlank() || origin.length() > 512) {
      return false;
    }
    URI uri;
    try {
      uri = new URI(origin);
    } catch (Exception e) {
      return false;
    }
    String scheme = tls ? "https" : "http";
    if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals(scheme) || uri.getHost() == null
        || uri.getRawUserInfo() != null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())
        || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      return false;
    }
    int defaultPort = tls ? 443 : 80;
    int originPort = uri.getPort() == -1 ? defaultPort : uri.getPort();
    String hostName;
    int hostPort;
    try {
      URI h = new URI(scheme + "://" + host);
      if (h.getHost() == null || h.getRawPath() != null && !h.getRawPath().isEmpty() || h.getRawUserInfo() != null) {
        return false;
      }
      hostName = h.getHost();
      hostPort = h.getPort() == -1 ? defaultPort : h.getPort();
    } catch (Exception e) {
      return false;
    }
    return uri.getHost().equalsIgnoreCase(hostName) && originPort == hostPort;
  }
}
