package dev.stevedore.agent.push;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code stevedore-agent authorized-key}: the authorized_keys line for CI's public key, with the
 * forced command and {@code restrict} (no pty, no port, agent or X11 forwarding, no
 * {@code ~/.ssh/rc}).
 */
public final class AuthorizedKeys {
  private static final Pattern KEY = Pattern.compile(
      "^(ssh-ed25519|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|ssh-rsa|sk-ssh-ed25519@openssh\\.com"
          + "|sk-ecdsa-sha2-nistp256@openssh\\.com) ([A-Za-z0-9+/]+={0,3})( [\\x21-\\x7e][\\x20-\\x7e]*)?$");
  private static final Pattern COMMAND = Pattern.compile("^[A-Za-z0-9_./:=@+-][A-Za-z0-9_./:=@+ -]*$");
  public static final String DEFAULT_COMMAND = "stevedore-agent ssh-gate";

  private AuthorizedKeys() {}

  /**
   * @param publicKey one line of a {@code .pub} file ({@code type base64 [comment]}), without options
   * @param command the forced command (default {@value #DEFAULT_COMMAND}, plus {@code --config FILE} when needed)
   */
  public static String line(String publicKey, String command) {
    String key = publicKey.strip();
    Matcher m = KEY.matcher(key);
    if (!m.matches()) {
      throw new IllegalArgumentException("not one OpenSSH public key line (type base64 [comment]) without options");
    }
    if (!COMMAND.matcher(command).matches()) {
      throw new IllegalArgumentException("the gate command may hold only letters, digits, spaces and _./:=@+-");
    }
    return "restrict,command=\"" + command + "\" " + key;
  }
}
