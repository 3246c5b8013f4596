package dev.stevedore.cli.cmd;

import dev.stevedore.cli.out.WriterStream;
import dev.stevedore.push.PushMain;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code stevedore push ...}: the push client (module push-client, docs/push.md), run in this
 * process by {@link PushMain#run}. Its options are its own (parsed by push-client, not by picocli:
 * the inherited options are taken off this command in {@code Main}, so {@code --version} is the
 * version to push), and so are its exit codes (0-6, docs/push.md), which are returned as they are.
 */
@Command(name = "push", description = {
    "Deploy over SSH without Kafka: run the agent's one-shot deploy on each host (docs/push.md).",
    "Options and exit codes are push's own, not the other commands':",
    "  --host USER@HOST[:PORT] (repeatable) --service SERVICE --version VERSION",
    "  [--identity FILE | env STEVEDORE_SSH_KEY] [--known-hosts FILE] [--accept-new]",
    "  [--wave N] [--signing-key FILE] [--connect-timeout SECONDS]"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every host runs the version and is healthy (or already ran it)",
        "1:failed before the switch; the previous version keeps serving",
        "2:usage: unknown option, malformed service or version",
        "3:failed after the switch and was rolled back",
        "4:refused by the agent (not managed, blocked, signature)",
        "5:another deployment ran longer than push.lockWait; withdrawn",
        "6:anything else: config, connection, host key refused"},
    footer = "%nDocs: docs/push.md, docs/cli.md")
public final class PushCommand implements java.util.concurrent.Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ARG", description = "Handed to push as they are.")
  List<String> args = new ArrayList<>();

  @Override
  public Integer call() {
    if (args.size() == 1 && (args.get(0).equals("--help") || args.get(0).equals("-h"))) {
      spec.commandLine().usage(spec.commandLine().getOut());
      return 0;
    }
    var root = (dev.stevedore.cli.StevedoreCommand) spec.root().userObject();
    var printer = root.printer();
    try (PrintStream out = new PrintStream(new WriterStream(printer.out()), true, StandardCharsets.UTF_8);
         PrintStream err = new PrintStream(new WriterStream(printer.err()), true, StandardCharsets.UTF_8)) {
      return PushMain.run(args.toArray(String[]::new), root.env(), out, err);
    }
  }
}
