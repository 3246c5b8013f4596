package dev.stevedore.agent.push;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.TrustedKeys;
import java.io.PrintStream;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code stevedore-agent ssh-gate}: the forced command of CI's key
 * ({@code restrict,command="stevedore-agent ssh-gate"} in authorized_keys). sshd runs it whatever
 * the client asked for and puts the client's command in {@code SSH_ORIGINAL_COMMAND}; the gate
 * accepts exactly {@code deploy --service S --version V [--at T --signature SIG]} (words separated
 * by single spaces, printable ASCII, no shell anywhere), checks the signature when one is given or
 * {@code push.requireSignature} asks for one, and runs {@link OneShot}. Anything else (a shell, an
 * {@code scp}, {@code git-upload-pack}, a version such as {@code v1;reboot}) is refused with a
 * message on stderr and exit code {@link PushExit#USAGE}, before the configuration is even read.
 */
public final class SshGate {
  static final int MAX_COMMAND = 512;

  private SshGate() {}

  /** The words of an SSH command line the gate accepts, or why not. */
  static DeployCommand parse(String original) {
    if (original == null || original.isEmpty()) {
      throw new IllegalArgumentException("refused: this key cannot open a shell; it may only run '"
          + DeployCommand.USAGE + "'");
    }
    if (original.length() > MAX_COMMAND) {
      throw new IllegalArgumentException("refused: the command is longer than " + MAX_COMMAND + " characters");
    }
    for (char c : original.toCharArray()) {
      if (c < 0x20 || c > 0x7e) {
        throw new IllegalArgumentException("refused: the command holds a control or non-ASCII character");
      }
    }
    List<String> words = Arrays.asList(original.split(" ", -1));
    if (words.stream().anyMatch(String::isEmpty)) {
      throw new IllegalArgumentException("refused: words must be separated by single spaces; only '"
          + DeployCommand.USAGE + "' is allowed");
    }
    return DeployCommand.parse(words, false);
  }

  /**
   * @param loadConfig loads the host's agent configuration (from the forced command's own {@code --config})
   */
  public static PushExit run(Map<String, String> env, java.util.function.Supplier<AgentConfig> loadConfig,
      PrintStream out, PrintStream err, Clock clock) {
    DeployCommand command;
    try {
      command = parse(env.get("SSH_ORIGINAL_COMMAND"));
    } catch (IllegalArgumentException e) {
      err.println("stevedore ssh-gate: " + e.getMessage());
      return PushExit.USAGE;
    }
    AgentConfig config;
    try {
      config = loadConfig.get();
    } catch (RuntimeException e) {
      err.println("stevedore ssh-gate: the agent configuration cannot be read: " + e.getMessage());
      return PushExit.ERROR;
    }
    if (command.signed() || config.push().requireSignature()) {
      List<PublicKey> keys;
      try {
        keys = config.push().keys().isEmpty() ? List.of() : TrustedKeys.parse(config.push().keys());
      } catch (IllegalArgumentException e) {
        err.println("stevedore ssh-gate: push.keys: " + e.getMessage());
        return PushExit.ERROR;
      }
      String rejection = PushSignature.rejection(command, keys, config.push().maxAge(), clock.instant());
      if (rejection != null) {
        err.println("stevedore ssh-gate: refused: " + rejection);
        return PushExit.REFUSED;
      }
    }
    String client = env.getOrDefault("SSH_CLIENT", "");
    String from = client.isBlank() ? "ssh" : "ssh " + client.split(" ")[0];
    return new OneShot(config, out, err).run(command, from + (command.signed() ? " (signed)" : ""));
  }
}
