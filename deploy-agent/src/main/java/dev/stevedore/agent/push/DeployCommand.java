package dev.stevedore.agent.push;

import dev.stevedore.common.event.Versions;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code deploy --service S --version V [--at EPOCH_SECONDS --signature SIG]} (plus
 * {@code --config FILE} on the agent's own command line, never through the SSH gate). A strict
 * parse: fixed option order, each option once, nothing else; the service and version pass the
 * agent's own patterns, so {@code v1;reboot} or {@code --upload-pack=x} never get further.
 */
public record DeployCommand(String service, String version, Long at, String signature, String config) {
  static final String USAGE = "deploy --service SERVICE --version VERSION [--at EPOCH_SECONDS --signature SIGNATURE]";
  private static final Pattern DIGITS = Pattern.compile("^[0-9]{1,12}$");
  private static final Pattern SIGNATURE = Pattern.compile("^[A-Za-z0-9_-]{86}$");

  public DeployCommand {
    if (service == null || !Versions.isValidName(service)) {
      throw new IllegalArgumentException("refused: the service must match [a-z0-9][a-z0-9._-]{0,62}");
    }
    if (version == null || !Versions.isValid(version)) {
      throw new IllegalArgumentException(
          "refused: the version must be a tag matching ^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$ or a sha256: digest");
    }
    if ((at == null) != (signature == null)) {
      throw new IllegalArgumentException("refused: --at and --signature go together");
    }
  }

  public boolean signed() {
    return signature != null;
  }

  /**
   * Parses the words after {@code deploy}. {@code allowConfig}: whether {@code --config FILE} may
   * follow (the agent's own command line); the SSH gate passes false.
   */
  public static DeployCommand parse(List<String> words, boolean allowConfig) {
    if (words.isEmpty() || !words.get(0).equals("deploy")) {
      throw new IllegalArgumentException("refused: only '" + USAGE + "' is allowed");
    }
    int i = 1;
    String service = value(words, i, "--service");
    i += 2;
    String version = value(words, i, "--version");
    i += 2;
    Long at = null;
    String signature = null;
    if (i < words.size() && words.get(i).equals("--at")) {
      String t = value(words, i, "--at");
      if (!DIGITS.matcher(t).matches()) {
        throw new IllegalArgumentException("refused: --at must be seconds since the epoch");
      }
      at = Long.parseLong(t);
      i += 2;
      signature = value(words, i, "--signature");
      if (!SIGNATURE.matcher(signature).matches()) {
        throw new IllegalArgumentException("refused: --signature must be an Ed25519 signature in base64url");
      }
      i += 2;
    }
    String config = null;
    if (allowConfig && i < words.size() && words.get(i).equals("--config")) {
      config = value(words, i, "--config");
      i += 2;
    }
    if (i != words.size()) {
      throw new IllegalArgumentException("refused: unexpected '" + PushRequest.sanitize(words.get(i))
          + "'; only '" + USAGE + "' is allowed");
    }
    return new DeployCommand(service, version, at, signature, config);
  }

  private static String value(List<String> words, int i, String option) {
    if (i >= words.size() || !words.get(i).equals(option)) {
      throw new IllegalArgumentException("refused: expected " + option + " at word " + (i + 1) + "; only '" + USAGE
          + "' is allowed");
    }
    if (i + 1 >= words.size()) {
      throw new IllegalArgumentException("refused: " + option + " needs a value");
    }
    return words.get(i + 1);
  }

  /** The words the push client sends (the SSH command line, joined by single spaces). */
  public List<String> words() {
    List<String> w = new java.util.ArrayList<>(List.of("deploy", "--service", service, "--version", version));
    if (signed()) {
      w.addAll(List.of("--at", String.valueOf(at), "--signature", signature));
    }
    return w;
  }
}
