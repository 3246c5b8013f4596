package dev.stevedore.agent;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.AgentConfigs;
import dev.stevedore.agent.push.AuthorizedKeys;
import dev.stevedore.agent.push.DeployCommand;
import dev.stevedore.agent.push.OneShot;
import dev.stevedore.agent.push.PushExit;
import dev.stevedore.agent.push.SshGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * The agent's one-shot commands ({@code stevedore-agent deploy | ssh-gate | authorized-key});
 * without one, {@link AgentMain} runs the daemon. Their stdout carries only the deployment's
 * lines (it is what a push streams back), logs go to stderr at WARN.
 */
final class AgentCommands {
  private AgentCommands() {}

  static boolean handles(String[] args) {
    return args.length > 0 && List.of("deploy", "ssh-gate", "authorized-key").contains(args[0]);
  }

  /** Runs the command and returns its exit code. */
  static int run(String[] args, Map<String, String> env) {
    logToStderr();
    List<String> words = Arrays.asList(args);
    return switch (args[0]) {
      case "deploy" -> deploy(words, env);
      case "ssh-gate" -> gate(words.subList(1, words.size()), env);
      default -> authorizedKey(words.subList(1, words.size()));
    };
  }

  private static int deploy(List<String> words, Map<String, String> env) {
    DeployCommand command;
    try {
      command = DeployCommand.parse(words, true);
    } catch (IllegalArgumentException e) {
      System.err.println("stevedore-agent: " + e.getMessage());
      System.err.println("usage: stevedore-agent deploy --service SERVICE --version VERSION [--config FILE]");
      return PushExit.USAGE.code;
    }
    AgentConfig config;
    try {
      config = AgentConfigs.load(Optional.ofNullable(command.config()).map(Path::of), env);
    } catch (RuntimeException e) {
      System.err.println("stevedore-agent: the agent configuration cannot be read: " + e.getMessage());
      return PushExit.ERROR.code;
    }
    String user = env.getOrDefault("SUDO_USER", env.getOrDefault("USER", "unknown"));
    return new OneShot(config, System.out, System.err).run(command, "local " + user).code;
  }

  private static int gate(List<String> words, Map<String, String> env) {
    Optional<Path> config;
    if (words.isEmpty()) {
      config = Optional.empty();
    } else if (words.size() == 2 && words.get(0).equals("--config")) {
      config = Optional.of(Path.of(words.get(1)));
    } else {
      System.err.println("usage (in authorized_keys): command=\"stevedore-agent ssh-gate [--config FILE]\"");
      return PushExit.USAGE.code;
    }
    return SshGate.run(env, () -> AgentConfigs.load(config, env), System.out, System.err, Clock.systemUTC()).code;
  }

  private static int authorizedKey(List<String> words) {
    String key = null;
    String command = AuthorizedKeys.DEFAULT_COMMAND;
    String config = null;
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      if (i + 1 >= words.size()) {
        return authorizedKeyUsage("'" + w + "' needs a value");
      }
      switch (w) {
        case "--public-key" -> key = words.get(++i);
        case "--gate-command" -> command = words.get(++i);
        case "--config" -> config = words.get(++i);
        default -> {
          return authorizedKeyUsage("unexpected '" + w + "'");
        }
      }
    }
    if (key == null) {
      return authorizedKeyUsage("--public-key is required");
    }
    try {
      String text = Files.readString(Path.of(key)).strip();
      if (text.contains("\n")) {
        return authorizedKeyUsage(key + " holds more than one line: give one public key");
      }
      System.out.println(AuthorizedKeys.line(text, config == null ? command : command + " --config " + config));
      return 0;
    } catch (IOException e) {
      return authorizedKeyUsage("cannot read " + key + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      return authorizedKeyUsage(key + ": " + e.getMessage());
    }
  }

  private static int authorizedKeyUsage(String why) {
    System.err.println("stevedore-agent authorized-key: " + why);
    System.err.println("usage: stevedore-agent authorized-key --public-key FILE.pub [--config AGENT_YML] "
        + "[--gate-command 'stevedore-agent ssh-gate']");
    return PushExit.USAGE.code;
  }

  /** Logs to stderr at WARN (STEVEDORE_LOG_LEVEL overrides): stdout is the deployment's stream. */
  static void logToStderr() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{24} - %msg%n"); // the services' date form
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    root.addAppender(stderr);
    String level = System.getenv("STEVEDORE_LOG_LEVEL");
    root.setLevel(Level.toLevel(level, Level.WARN));
  }
}
