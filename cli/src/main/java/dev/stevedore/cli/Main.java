package dev.stevedore.cli;

import dev.stevedore.cli.out.Safe;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;

/** {@code stevedore}: parses the command line, runs the command, exits with its {@link ExitCode}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    int code = run(args, out, err, System.getenv());
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs one command line; the exit code is returned, not exited with (tests call this). */
  public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
    CommandLine cli = commandLine(out, err, env);
    return cli.execute(args);
  }

  public static CommandLine commandLine(PrintWriter out, PrintWriter err, Map<String, String> env) {
    CommandLine cli = new CommandLine(new StevedoreCommand(out, err, env));
    cli.setOut(out);
    cli.setErr(err);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    pushParsesItsOwnOptions(cli.getSubcommands().get("push"));
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof CliException c) {
        err.println("stevedore: " + Safe.text(c.getMessage()));
        err.flush();
        return c.exitCode().code();
      }
      err.println("stevedore: internal error: " + Safe.text(String.valueOf(e)));
      err.flush();
      return ExitCode.INTERNAL.code();
    });
    return cli;
  }

  /**
   * {@code push} has its own options (push-client parses them; its {@code --version} is the version
   * to push): the inherited ones (-o, --context, --help, --version, ...) are taken off it, and
   * whatever follows {@code push} reaches push-client as it was typed.
   */
  private static void pushParsesItsOwnOptions(CommandLine push) {
    var spec = push.getCommandSpec();
    for (var option : java.util.List.copyOf(spec.options())) {
      spec.remove(option);
    }
    push.setUnmatchedOptionsArePositionalParams(true);
    push.setUnmatchedOptionsAllowedAsOptionParameters(true);
  }
}
