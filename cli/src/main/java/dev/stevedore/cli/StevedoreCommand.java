package dev.stevedore.cli;

import dev.stevedore.cli.cmd.AtCommand;
import dev.stevedore.cli.cmd.AtqCommand;
import dev.stevedore.cli.cmd.AtrmCommand;
import dev.stevedore.cli.cmd.CancelCommand;
import dev.stevedore.cli.cmd.CompletionCommand;
import dev.stevedore.cli.cmd.ConfigCommand;
import dev.stevedore.cli.cmd.DeployCommand;
import dev.stevedore.cli.cmd.HistoryCommand;
import dev.stevedore.cli.cmd.HostsCommand;
import dev.stevedore.cli.cmd.PushCommand;
import dev.stevedore.cli.cmd.RollbackCommand;
import dev.stevedore.cli.cmd.RolloutsCommand;
import dev.stevedore.cli.cmd.StatusCommand;
import dev.stevedore.cli.cmd.TailCommand;
import dev.stevedore.cli.cmd.UnblockCommand;
import dev.stevedore.cli.cmd.VerifyCommand;
import dev.stevedore.cli.config.Settings;
import dev.stevedore.cli.http.Api;
import dev.stevedore.cli.out.Format;
import dev.stevedore.cli.out.Printer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The top command: options every subcommand takes, and the list of subcommands. */
@Command(name = "stevedore", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
    versionProvider = StevedoreCommand.Version.class, sortOptions = false, usageHelpAutoWidth = true,
    description = "Deploy, watch, schedule and audit Stevedore deployments through the trigger and audit APIs.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success; a deployment waited for succeeded or was skipped",
        "1:a deployment failed; the hash chain is broken",
        "2:usage error, bad config, no token",
        "3:a deployment was rolled back",
        "4:--wait timed out",
        "5:a deployment was cancelled",
        "10:401 unauthorized",
        "11:403 forbidden",
        "12:404 not found",
        "13:409 conflict",
        "14:429/503 retry later",
        "15:other refusal or unreadable answer",
        "16:server unreachable",
        "70:internal error"},
    footer = "%nDocs: docs/cli.md",
    subcommands = {DeployCommand.class, RollbackCommand.class, CancelCommand.class, RolloutsCommand.class, StatusCommand.class, HistoryCommand.class,
        HostsCommand.class, AtCommand.class, AtqCommand.class, AtrmCommand.class, VerifyCommand.class,
        TailCommand.class, UnblockCommand.class, PushCommand.class, ConfigCommand.class, CompletionCommand.class})
public final class StevedoreCommand implements Callable<Integer> {
  private final PrintWriter out;
  private final PrintWriter err;
  private final Map<String, String> env;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--context", scope = ScopeType.INHERIT, paramLabel = "NAME",
      description = "Context of the config file to use (default: $STEVEDORE_CONTEXT, else the file's current-context).")
  String context;

  @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "Config file (default: $STEVEDORE_CONFIG, else ~/.config/stevedore/config.yaml).")
  Path config;

  @Option(names = "--trigger-url", scope = ScopeType.INHERIT, paramLabel = "URL",
      description = "Trigger API base URL (overrides $STEVEDORE_TRIGGER_URL and the context).")
  String triggerUrl;

  @Option(names = "--audit-url", scope = ScopeType.INHERIT, paramLabel = "URL",
      description = "Audit API base URL (overrides $STEVEDORE_AUDIT_URL and the context).")
  String auditUrl;

  @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT", defaultValue = "table",
      converter = FormatConverter.class, description = "table, json or yaml (default: ${DEFAULT-VALUE}).")
  Format output;

  @Option(names = "--request-timeout", scope = ScopeType.INHERIT, paramLabel = "DURATION", defaultValue = "30s",
      converter = DurationConverter.class, description = "Longest wait for one HTTP answer (default: ${DEFAULT-VALUE}).")
  Duration requestTimeout;

  public StevedoreCommand(PrintWriter out, PrintWriter err, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.env = env;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(out);
    return ExitCode.USAGE.code();
  }

  public Settings settings() {
    Path file = config != null ? config : Settings.defaultConfigFile(env);
    return new Settings(file, context, triggerUrl, auditUrl, env, err::println);
  }

  public Printer printer() {
    return new Printer(output, out, err);
  }

  public Map<String, String> env() {
    return env;
  }

  public Api trigger() {
    Settings s = settings();
    return new Api("trigger", s.triggerUrl(), s::triggerToken, http(), requestTimeout);
  }

  public Api audit() {
    return audit(requestTimeout);
  }

  public Api audit(Duration timeout) {
    Settings s = settings();
    return new Api("audit", s.auditUrl(), s::auditToken, http(), timeout);
  }

  private HttpClient http() {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(Math.min(10, requestTimeout.toSeconds() + 1)))
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** {@code -o} values. */
  public static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
    @Override
    public Format convert(String value) {
      return Format.parse(value);
    }
  }

  /** {@code 90s}, {@code 10m}, {@code 1h30m}, {@code PT5M}. */
  public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return dev.stevedore.cli.time.Times.duration(value);
    }
  }

  /** The version from the build (stevedore-cli.properties, filtered by Maven). */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = StevedoreCommand.class.getResourceAsStream("/stevedore-cli.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"stevedore " + p.getProperty("version", "unknown"),
          "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }
  }
}
