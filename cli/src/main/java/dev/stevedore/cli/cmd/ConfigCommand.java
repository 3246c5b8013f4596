package dev.stevedore.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.cli.CliException;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.config.CliConfig;
import dev.stevedore.cli.config.CliConfig.Context;
import dev.stevedore.cli.config.Settings;
import dev.stevedore.cli.out.Json;
import dev.stevedore.cli.out.Table;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stevedore config ...}: contexts in the config file, as kubectl config has them. */
@Command(name = "config", description = "Show and change the contexts of the config file.",
    subcommands = {ConfigCommand.UseContext.class, ConfigCommand.GetContexts.class, ConfigCommand.CurrentContext.class,
        ConfigCommand.SetContext.class, ConfigCommand.View.class})
public final class ConfigCommand extends Base {
  @Override
  ExitCode run() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCode.USAGE;
  }

  /** {@code config use-context NAME}. */
  @Command(name = "use-context", description = "Make NAME the current context.")
  public static final class UseContext extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;

    @Override
    ExitCode run() {
      CliConfig.useContext(root().settings().configFile(), name);
      printer().line("switched to context \"" + name + "\"");
      return ExitCode.OK;
    }
  }

  /** {@code config get-contexts}. */
  @Command(name = "get-contexts", description = "List the contexts; * marks the current one.")
  public static final class GetContexts extends Base {
    @Override
    ExitCode run() {
      Settings settings = root().settings();
      CliConfig config = settings.config();
      String current = settings.context().map(Context::name).orElse(null);
      JsonNode raw = Json.MAPPER.valueToTree(config);
      printer().print(raw, () -> {
        Table t = new Table("CURRENT", "NAME", "TRIGGER", "AUDIT", "ENVIRONMENT");
        config.contexts().forEach(c -> t.row(c.name().equals(current) ? "*" : "", c.name(), c.trigger(), c.audit(),
            c.environment()));
        return t;
      }, "no contexts in " + settings.configFile() + " (stevedore config set-context --help)");
      return ExitCode.OK;
    }
  }

  /** {@code config current-context}. */
  @Command(name = "current-context", description = "Print the name of the context in use.")
  public static final class CurrentContext extends Base {
    @Override
    ExitCode run() {
      Optional<Context> c = root().settings().context();
      if (c.isEmpty()) {
        throw CliException.usage("no current context (stevedore config use-context NAME)");
      }
      printer().line(c.get().name());
      return ExitCode.OK;
    }
  }

  /** {@code config set-context NAME --trigger URL ...}. */
  @Command(name = "set-context", description = "Add a context or change some of its fields (the others stay).")
  public static final class SetContext extends Base {
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Option(names = "--trigger", paramLabel = "URL", description = "Trigger API base URL.") String trigger;
    @Option(names = "--audit", paramLabel = "URL", description = "Audit API base URL.") String audit;
    @Option(names = "--environment", paramLabel = "ENV", description = "Default environment for -e.") String environment;
    @Option(names = "--trigger-token-path", paramLabel = "FILE", description = "File holding the trigger API token.") String triggerTokenPath;
    @Option(names = "--audit-token-path", paramLabel = "FILE", description = "File holding the audit reader token.") String auditTokenPath;
    @Option(names = "--trigger-token-env", paramLabel = "VAR", description = "Environment variable holding the trigger token.") String triggerTokenEnv;
    @Option(names = "--audit-token-env", paramLabel = "VAR", description = "Environment variable holding the audit token.") String auditTokenEnv;

    @Override
    ExitCode run() {
      CliConfig.setContext(root().settings().configFile(), new Context(name, trigger, audit, environment,
          triggerTokenPath, auditTokenPath, triggerTokenEnv, auditTokenEnv));
      printer().line("context \"" + name + "\" set in " + root().settings().configFile());
      return ExitCode.OK;
    }
  }

  /** {@code config view}: the file as read (tokens are never in it, only where they are). */
  @Command(name = "view", description = "Print the config file as it is read.")
  public static final class View extends Base {
    @Override
    ExitCode run() {
      Settings settings = root().settings();
      JsonNode raw = Json.MAPPER.valueToTree(settings.config());
      if (printer().table()) {
        printer().raw(Json.yaml(raw));
      } else {
        printer().print(raw, null, null);
      }
      return ExitCode.OK;
    }
  }
}
