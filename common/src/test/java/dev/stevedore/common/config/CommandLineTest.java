package dev.stevedore.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.config.CommandLine.Loaded;
import dev.stevedore.common.config.CommandLine.Parsed;
import dev.stevedore.common.config.CommandLine.Program;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CommandLineTest {
  private static final Program PROGRAM = new Program("svc", "Does one thing well.", List.of("", "See docs/svc.md."));

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private Parsed parse(String... args) {
    return CommandLine.parse(PROGRAM, args, print(out), print(err));
  }

  private static PrintStream print(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void takesAnOptionalConfigFile() {
    assertThat(parse()).isEqualTo(new Parsed.Run(Optional.empty()));
    assertThat(parse("--config", "/etc/stevedore/agent.yml"))
        .isEqualTo(new Parsed.Run(Optional.of(Path.of("/etc/stevedore/agent.yml"))));
    assertThat(parse("--config=/etc/stevedore/agent.yml"))
        .isEqualTo(new Parsed.Run(Optional.of(Path.of("/etc/stevedore/agent.yml"))));
    assertThat(out()).isEmpty();
    assertThat(err()).isEmpty();
  }

  @Test
  void helpPrintsUsageDescriptionFooterAndExitCodes() {
    assertThat(parse("--help")).isEqualTo(new Parsed.Exit(0));
    assertThat(out()).startsWith("Usage: svc [-hV] [--config=FILE]")
        .contains("Does one thing well.", "--config=FILE", "-h, --help", "-V, --version", "See docs/svc.md.",
            "Exit codes:", "  0  help or version", "  1  failed at run time", "  2  usage or configuration error");
    assertThat(err()).isEmpty();
    out.reset();
    assertThat(parse("-h")).isEqualTo(new Parsed.Exit(0));
    assertThat(out()).startsWith("Usage: svc");
  }

  @Test
  void versionPrintsTheProjectVersion() {
    assertThat(parse("--version")).isEqualTo(new Parsed.Exit(0));
    assertThat(CommandLine.version()).matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(out()).startsWith("svc " + CommandLine.version() + System.lineSeparator()).contains("Java ");
    out.reset();
    assertThat(parse("-V")).isEqualTo(new Parsed.Exit(0));
    assertThat(out()).startsWith("svc " + CommandLine.version());
  }

  @Test
  void refusesAnythingElseWithExit2AndNamesIt() {
    for (List<String> args : List.of(List.of("--verbose"), List.of("--config"), List.of("extra"),
        List.of("--config", "a.yml", "--config", "b.yml"))) {
      err.reset();
      assertThat(parse(args.toArray(String[]::new))).as("%s", args).isEqualTo(new Parsed.Exit(2));
      assertThat(err()).as("%s", args).startsWith("svc: ").contains("Usage: svc");
    }
    assertThat(out()).isEmpty();
    err.reset();
    parse("--verbose");
    assertThat(err()).startsWith("svc: Unknown option: '--verbose'");
  }

  @Test
  void loadRunsOnlyForARunAndTurnsAConfigurationErrorIntoExit2() {
    AtomicInteger loads = new AtomicInteger();
    assertThat(CommandLine.load(PROGRAM, new String[] {"--help"}, file -> loads.incrementAndGet(), print(out), print(err)))
        .isEqualTo(new Loaded.Exit<>(0));
    assertThat(CommandLine.load(PROGRAM, new String[] {"--nope"}, file -> loads.incrementAndGet(), print(out), print(err)))
        .isEqualTo(new Loaded.Exit<>(2));
    assertThat(loads).hasValue(0);
    assertThat(CommandLine.load(PROGRAM, new String[] {"--config", "x.yml"}, file -> file.orElseThrow().toString(),
        print(out), print(err))).isEqualTo(new Loaded.Config<>("x.yml"));
    err.reset();
    assertThat(CommandLine.load(PROGRAM, new String[0], file -> {
      throw new IllegalArgumentException("kafka.bootstrapServers is required");
    }, print(out), print(err))).isEqualTo(new Loaded.Exit<>(2));
    assertThat(err()).isEqualTo("svc: kafka.bootstrapServers is required" + System.lineSeparator());
  }
}
