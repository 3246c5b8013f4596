package dev.stevedore.cli.config;

import dev.stevedore.cli.CliException;
import dev.stevedore.cli.config.CliConfig.Context;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where the APIs are and which tokens to send, from (strongest first) the command line, the
 * environment ({@code STEVEDORE_*}) and the context of the config file.
 *
 * @param warnings where a token file readable by others is reported (as ssh does; not refused)
 */
public record Settings(Path configFile, String contextFlag, String triggerFlag, String auditFlag,
    Map<String, String> env, Consumer<String> warnings) {
  public static final String CONFIG = "STEVEDORE_CONFIG";
  public static final String CONTEXT = "STEVEDORE_CONTEXT";
  public static final String TRIGGER_URL = "STEVEDORE_TRIGGER_URL";
  public static final String AUDIT_URL = "STEVEDORE_AUDIT_URL";
  public static final String TRIGGER_TOKEN = "STEVEDORE_TRIGGER_TOKEN";
  public static final String AUDIT_TOKEN = "STEVEDORE_AUDIT_TOKEN";
  public static final String ENVIRONMENT = "STEVEDORE_ENVIRONMENT";

  /** The config file: {@code --config}, else {@code $STEVEDORE_CONFIG}, else {@code $XDG_CONFIG_HOME/stevedore/config.yaml}, else {@code ~/.config/stevedore/config.yaml}. */
  public static Path defaultConfigFile(Map<String, String> env) {
    if (nonBlank(env.get(CONFIG))) {
      return Path.of(env.get(CONFIG));
    }
    String xdg = env.get("XDG_CONFIG_HOME");
    Path base = nonBlank(xdg) ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
    return base.resolve("stevedore").resolve("config.yaml");
  }

  public CliConfig config() {
    return CliConfig.load(configFile);
  }

  /** The context in use: {@code --context}, {@code $STEVEDORE_CONTEXT}, the file's current-context; empty when none is set. */
  public Optional<Context> context() {
    CliConfig config = config();
    String name = contextFlag != null ? contextFlag : nonBlank(env.get(CONTEXT)) ? env.get(CONTEXT) : config.currentContext();
    if (name == null) {
      return Optional.empty();
    }
    return Optional.of(config.context(name).orElseThrow(() -> CliException.usage(
        "no context '" + name + "' in " + configFile + " (stevedore config get-contexts)")));
  }

  public URI triggerUrl() {
    return url("trigger", triggerFlag, TRIGGER_URL, context().map(Context::trigger).orElse(null), "--trigger-url");
  }

  public URI auditUrl() {
    return url("audit", auditFlag, AUDIT_URL, context().map(Context::audit).orElse(null), "--audit-url");
  }

  /** The environment to use when no {@code -e} is given. */
  public Optional<String> environment() {
    if (nonBlank(env.get(ENVIRONMENT))) {
      return Optional.of(env.get(ENVIRONMENT));
    }
    return context().map(Context::environment).filter(Settings::nonBlank);
  }

  public String triggerToken() {
    Optional<Context> c = context();
    return token("trigger", TRIGGER_TOKEN, c.map(Context::triggerTokenEnv).orElse(null),
        c.map(Context::triggerTokenPath).orElse(null), c.map(Context::name).orElse(null));
  }

  public String auditToken() {
    Optional<Context> c = context();
    return token("audit", AUDIT_TOKEN, c.map(Context::auditTokenEnv).orElse(null),
        c.map(Context::auditTokenPath).orElse(null), c.map(Context::name).orElse(null));
  }

  private URI url(String what, String flag, String envName, String fromContext, String option) {
    String value = flag != null ? flag : nonBlank(env.get(envName)) ? env.get(envName) : fromContext;
    if (!nonBlank(value)) {
      throw CliException.usage("no " + what + " URL: give " + option + ", set " + envName
          + " or a context with '" + what + ":' (see stevedore config set-context --help)");
    }
    try {
      URI uri = URI.create(value.trim());
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException("not an http(s) URL");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw CliException.usage("the " + what + " URL '" + value + "' is not an http(s) URL");
    }
  }

  private String token(String what, String envName, String contextEnv, String path, String contextName) {
    if (nonBlank(env.get(envName))) {
      return env.get(envName).trim();
    }
    if (nonBlank(contextEnv) && nonBlank(env.get(contextEnv))) {
      return env.get(contextEnv).trim();
    }
    if (nonBlank(path)) {
      return readToken(what, resolve(path));
    }
    throw CliException.usage("no " + what + " token: set " + envName
        + (contextName == null ? "" : " or " + what + "TokenPath in context '" + contextName + "'"));
  }

  /** {@code ~/x} is in the home directory; a relative path is relative to the config file's directory. */
  Path resolve(String path) {
    if (path.equals("~") || path.startsWith("~/")) {
      return Path.of(System.getProperty("user.home")).resolve(path.length() <= 2 ? "" : path.substring(2));
    }
    Path p = Path.of(path);
    Path dir = configFile.toAbsolutePath().getParent();
    return p.isAbsolute() || dir == null ? p : dir.resolve(p);
  }

  private String readToken(String what, Path file) {
    String token;
    try {
      token = Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw CliException.usage("cannot read the " + what + " token file " + file + ": "
          + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
    }
    if (token.isEmpty()) {
      throw CliException.usage("the " + what + " token file " + file + " is empty");
    }
    try {
      var perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
        warnings.accept("warning: the " + what + " token file " + file + " is readable by others (chmod 600 it)");
      }
    } catch (IOException | UnsupportedOperationException e) {
      // permissions unknown: nothing to say
    }
    return token;
  }

  static boolean nonBlank(String s) {
    return s != null && !s.isBlank();
  }
}
