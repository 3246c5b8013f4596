package dev.stevedore.push;

import dev.stevedore.common.event.Versions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code stevedore push --host user@host[:port] [--host ...] --service S --version V
 * [--identity FILE] [--known-hosts FILE] [--accept-new] [--wave N] [--signing-key FILE]
 * [--connect-timeout SECONDS]}. The private key comes from {@code --identity} or, when that is
 * absent, from the environment variable {@value #KEY_VARIABLE} (a CI masked variable).
 *
 * @param wave how many hosts deploy at once (default 1: one after the other); a failed wave stops the push
 */
public record PushOptions(List<HostTarget> hosts, String service, String version, Path identity, Path knownHosts,
    boolean acceptNew, int wave, Path signingKey, Duration connectTimeout) {
  public static final String KEY_VARIABLE = "STEVEDORE_SSH_KEY";
  static final String USAGE = """
      usage: stevedore push --host USER@HOST[:PORT] [--host ...] --service SERVICE --version VERSION
                            [--identity FILE | env STEVEDORE_SSH_KEY] [--known-hosts FILE] [--accept-new]
                            [--wave N] [--signing-key FILE] [--connect-timeout SECONDS]""";

  public PushOptions {
    hosts = List.copyOf(hosts);
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("at least one --host is required");
    }
    if (service == null || !Versions.isValidName(service)) {
      throw new IllegalArgumentException("--service must match [a-z0-9][a-z0-9._-]{0,62}");
    }
    if (version == null || !Versions.isValid(version)) {
      throw new IllegalArgumentException("--version must be a tag matching ^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$ "
          + "or a sha256: digest");
    }
    if (wave < 1) {
      throw new IllegalArgumentException("--wave must be at least 1");
    }
  }

  public static PushOptions parse(String[] args, Map<String, String> env) {
    List<HostTarget> hosts = new ArrayList<>();
    String service = null;
    String version = null;
    Path identity = null;
    Path knownHosts = null;
    boolean acceptNew = false;
    int wave = 1;
    Path signingKey = null;
    Duration connectTimeout = Duration.ofSeconds(15);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--accept-new")) {
        acceptNew = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a.startsWith("--") ? a + " needs a value" : "unexpected '" + a + "'");
      }
      String v = args[++i];
      switch (a) {
        case "--host" -> hosts.add(HostTarget.parse(v));
        case "--service" -> service = v;
        case "--version" -> version = v;
        case "--identity" -> identity = Path.of(v);
        case "--known-hosts" -> knownHosts = Path.of(v);
        case "--wave" -> wave = number(a, v);
        case "--signing-key" -> signingKey = Path.of(v);
        case "--connect-timeout" -> connectTimeout = Duration.ofSeconds(number(a, v));
        default -> throw new IllegalArgumentException("unexpected '" + a + "'");
      }
    }
    if (knownHosts == null) {
      knownHosts = Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".ssh", "known_hosts");
    }
    if (identity == null && (env.get(KEY_VARIABLE) == null || env.get(KEY_VARIABLE).isBlank())) {
      throw new IllegalArgumentException("no private key: give --identity FILE or set " + KEY_VARIABLE);
    }
    return new PushOptions(hosts, service, version, identity, knownHosts, acceptNew, wave, signingKey, connectTimeout);
  }

  private static int number(String option, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " must be a number");
    }
  }
}
