package dev.stevedore.agent.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A user name with a password, or an identity token (an OAuth2 refresh token that {@code docker
 * login} stores for some registries), and where they were found. {@link #toString} shows the user
 * and the source, never the secret.
 *
 * @param username the user (may be empty with an identity token)
 * @param password the password or access token; null with an identity token
 * @param identityToken a refresh token exchanged at the registry's token server; null with a password
 * @param source where they came from, for messages ({@code /root/.docker/config.json auths},
 *     {@code docker-credential-pass})
 */
public record RegistryCredentials(String username, String password, String identityToken, String source) {
  public RegistryCredentials {
    username = username == null ? "" : username;
    password = password == null || password.isEmpty() ? null : password;
    identityToken = identityToken == null || identityToken.isEmpty() ? null : identityToken;
    if (password == null && identityToken == null) {
      throw new IllegalArgumentException("credentials need a password or an identity token");
    }
    source = source == null ? "unknown" : source;
  }

  /** The {@code Authorization} value of HTTP Basic with these credentials (password only). */
  public String basicAuthorization() {
    if (password == null) {
      throw new RegistryAuthException("the credentials of " + describe() + " hold an identity token, not a password");
    }
    return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** {@code user alice (from docker-credential-pass)}: for messages. */
  public String describe() {
    return (username.isEmpty() ? "an identity token" : "user " + username) + " (from " + source + ")";
  }

  @Override
  public String toString() {
    return "RegistryCredentials[username=" + username + ", password=" + (password == null ? "(none)" : "(redacted)")
        + ", identityToken=" + (identityToken == null ? "(none)" : "(redacted)") + ", source=" + source + "]";
  }
}
