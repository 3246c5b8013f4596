package dev.stevedore.proxy;

import java.time.Duration;
import java.util.Set;

/**
 * The edge proxy's configuration.
 *
 * @param host the public interface ({@code 0.0.0.0} by default)
 * @param port the public port: the one clients use; it never changes across deploys
 * @param adminHost the admin endpoint's interface; loopback only (anything else is refused)
 * @param adminPort the admin endpoint's port (0: any free port)
 * @param adminToken the bearer token of the admin endpoint (from {@code STEVEDORE_ADMIN_TOKEN} or
 *     {@code STEVEDORE_ADMIN_TOKEN_FILE}); required
 * @param statePath where the active colour is kept, so a restarted proxy serves the same colour
 * @param upstreamHost where the colours listen (loopback by default)
 * @param connectTimeout connecting to the active colour
 * @param instances public-port verticles (event loops serving traffic)
 * @param maxUpstreamConnections connections to the active colour at a time, per public verticle;
 *     requests beyond wait in the proxy. Keep it below the app's listen backlog: a full backlog
 *     drops SYNs, and a dropped SYN costs a request a 1 s retransmission (default 8)
 * @param reusePort bind the public port with SO_REUSEPORT (epoll, Linux x86_64), so a new proxy
 *     process listens before the old one stops: a restart without refused connections (default true)
 * @param shutdownGrace on SIGTERM (the listening socket closes at once), how long responses on
 *     open connections carry {@code Connection: close} before the idle ones are closed (default 2 s)
 */
public record ProxyConfig(String host, int port, String adminHost, int adminPort, String adminToken, String statePath,
    String upstreamHost, Duration connectTimeout, int instances, int maxUpstreamConnections, boolean reusePort, Duration shutdownGrace) {

  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1");

  public ProxyConfig {
    host = host == null || host.isBlank() ? "0.0.0.0" : host;
    adminHost = adminHost == null || adminHost.isBlank() ? "127.0.0.1" : adminHost;
    if (!LOOPBACK.contains(adminHost) && !adminHost.startsWith("127.")) {
      throw new IllegalArgumentException("adminHost must be a loopback address, not " + adminHost);
    }
    if (adminToken == null || adminToken.isBlank()) {
      throw new IllegalArgumentException("adminToken is required (STEVEDORE_ADMIN_TOKEN or STEVEDORE_ADMIN_TOKEN_FILE)");
    }
    adminToken = adminToken.strip();
    if (statePath == null || statePath.isBlank()) {
      throw new IllegalArgumentException("statePath is required");
    }
    upstreamHost = upstreamHost == null || upstreamHost.isBlank() ? "127.0.0.1" : upstreamHost;
    connectTimeout = connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()
        ? Duration.ofSeconds(2) : connectTimeout;
    instances = Math.max(1, instances);
    maxUpstreamConnections = maxUpstreamConnections <= 0 ? 8 : maxUpstreamConnections;
    shutdownGrace = shutdownGrace == null || shutdownGrace.isNegative() ? Duration.ofSeconds(2) : shutdownGrace;
  }

  /** The token never reaches a log line. */
  @Override
  public String toString() {
    return "ProxyConfig[host=" + host + ", port=" + port + ", adminHost=" + adminHost + ", adminPort=" + adminPort
        + ", adminToken=***, statePath=" + statePath + ", upstreamHost=" + upstreamHost + ", connectTimeout="
        + connectTimeout + ", instances=" + instances + ", maxUpstreamConnections=" + maxUpstreamConnections + ", reusePort=" + reusePort + ", shutdownGrace="
        + shutdownGrace + "]";
  }
}
