package dev.stevedore.agent.config;

import java.net.URI;
import java.time.Duration;

/**
 * The {@code blue-green} strategy: the service's public port belongs to the edge proxy (its own
 * process, see docs/blue-green.md); the app runs as two compose projects, {@code <project>-blue}
 * and {@code <project>-green}, each told its internal port through {@code portVariable}.
 *
 * @param publicPort the port the edge proxy listens on (documentation and the default health URL)
 * @param bluePort internal loopback port of the blue colour
 * @param greenPort internal loopback port of the green colour
 * @param portVariable the compose variable that carries a colour's port (default {@code PORT})
 * @param healthPath path probed on the idle colour before the switch (default: the path of the
 *     service's {@code healthCheck.url}, else {@code /})
 * @param adminUrl the edge proxy's admin endpoint (loopback; default {@code http://127.0.0.1:9901})
 * @param adminToken the admin endpoint's bearer token, or
 * @param adminTokenPath a file holding it (read at each call, so it can be rotated)
 * @param drain after the switch, how long at most to wait for requests in flight on the old colour
 *     before stopping it (default 5 s; the wait ends as soon as none is left)
 */
public record BlueGreenConfig(int publicPort, int bluePort, int greenPort, String portVariable, String healthPath,
    String adminUrl, String adminToken, String adminTokenPath, Duration drain) {

  public BlueGreenConfig {
    if (bluePort < 1 || bluePort > 65_535 || greenPort < 1 || greenPort > 65_535 || bluePort == greenPort) {
      throw new IllegalArgumentException("blueGreen needs two different ports, bluePort and greenPort");
    }
    if (publicPort == bluePort || publicPort == greenPort) {
      throw new IllegalArgumentException("blueGreen.publicPort (the proxy's) must differ from the colours' ports");
    }
    portVariable = portVariable == null || portVariable.isBlank() ? "PORT" : portVariable;
    adminUrl = adminUrl == null || adminUrl.isBlank() ? "http://127.0.0.1:9901" : adminUrl.replaceAll("/+$", "");
    String host = URI.create(adminUrl).getHost();
    if (host == null || !(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"))) {
      throw new IllegalArgumentException("blueGreen.adminUrl must be a loopback address, not " + adminUrl);
    }
    if ((adminToken == null || adminToken.isBlank()) == (adminTokenPath == null || adminTokenPath.isBlank())) {
      throw new IllegalArgumentException("blueGreen needs exactly one of adminToken or adminTokenPath");
    }
    drain = ResilienceConfig.positive(drain, Duration.ofSeconds(5));
  }

  /** The token stays out of logs. */
  @Override
  public String toString() {
    return "BlueGreenConfig[publicPort=" + publicPort + ", bluePort=" + bluePort + ", greenPort=" + greenPort
        + ", portVariable=" + portVariable + ", healthPath=" + healthPath + ", adminUrl=" + adminUrl + ", adminToken="
        + (adminToken == null ? null : "***") + ", adminTokenPath=" + adminTokenPath + ", drain=" + drain + "]";
  }
}
