package dev.stevedore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/cli.md matches the code: every exit code with its meaning, every command. */
class CliDocsTest {
  static String docs() throws Exception {
    return Files.readString(Path.of("..", "docs", "cli.md"));
  }

  @Test
  void everyExitCodeIsInTheTableWithItsMeaning() throws Exception {
    String docs = docs();
    for (ExitCode code : ExitCode.values()) {
      assertThat(docs).as(code.name()).contains("| " + code.code() + " | " + code.meaning() + " |");
    }
  }

  @Test
  void everyCommandHasASection() throws Exception {
    String docs = docs();
    var sink = new java.io.PrintWriter(new java.io.StringWriter());
    var cli = Main.commandLine(sink, sink, java.util.Map.of());
    for (String name : cli.getSubcommands().keySet()) {
      assertThat(docs).as(name).contains("### `stevedore " + name);
    }
  }
}
