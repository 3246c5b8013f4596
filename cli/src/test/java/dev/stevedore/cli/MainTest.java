package dev.stevedore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line in-process: parsing, help, version, completion, usage errors (no server). */
class MainTest {
  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true),
        Map.of("STEVEDORE_CONFIG", dir.resolve("config.yaml").toString()));
  }

  @Test
  void helpAndVersionWorkOnEveryCommand() {
    for (String command : new String[] {"deploy", "rollback", "status", "history", "hosts", "at", "atq", "atrm", "verify",
        "tail", "unblock", "config", "completion", "cancel", "rollouts", "rollouts show", "rollouts promote", "rollouts pause",
        "rollouts resume", "rollouts abort"}) {
      String[] words = command.split(" ");
      out.getBuffer().setLength(0);
      assertThat(run(with(words, "--help"))).as(command).isZero();
      assertThat(out.toString()).as(command).startsWith("Usage: stevedore " + command).contains("Exit codes:");
      out.getBuffer().setLength(0);
      assertThat(run(with(words, "--version"))).as(command).isZero();
      assertThat(out.toString()).startsWith("stevedore ");
    }
    assertThat(run("config", "use-context", "--help")).isZero();
  }

  static String[] with(String[] words, String last) {
    String[] args = java.util.Arrays.copyOf(words, words.length + 1);
    args[words.length] = last;
    return args;
  }

  @Test
  void pushKeepsItsOwnOptionsHelpAndExitCodes() {
    assertThat(run("push", "--help")).isZero();
    assertThat(out.toString()).startsWith("Usage: stevedore push").contains("Exit codes:").contains("--known-hosts FILE")
        .contains("6   anything else");
    out.getBuffer().setLength(0);
    // --version is push's (the version to push), not the version of stevedore; push-client's usage error is its exit 2
    assertThat(run("push", "--identity", dir.resolve("key").toString(), "--service", "web", "--version", "v2")).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("stevedore push: at least one --host is required").contains("usage: stevedore push --host");
    err.getBuffer().setLength(0);
    assertThat(run("push", "--host", "deploy@127.0.0.1:9", "--service", "web", "--version", "v2", "-o", "json")).isEqualTo(2);
    assertThat(err.toString()).contains("unexpected '-o'");
  }

  @Test
  void abortNeedsAReason() {
    assertThat(run("rollouts", "abort", "r1")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--reason=TEXT'");
    assertThat(run("rollouts")).isEqualTo(2);
    assertThat(run("cancel")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required parameter: 'DEPLOYMENT_ID'");
  }

  @Test
  void usageErrorsExitWith2AndSayWhat() {
    assertThat(run("deploy", "web")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required parameter: 'VERSION'");
    assertThat(run("history", "-o", "xml")).isEqualTo(2);
    assertThat(err.toString()).contains("'xml' is not one of table, json, yaml");
    assertThat(run("deploy", "web", "v2", "--wait", "--timeout", "soon")).isEqualTo(2);
    assertThat(err.toString()).contains("'soon' is not a duration");
    assertThat(run("nonsense")).isEqualTo(2);
  }

  @Test
  void withoutAContextTheMessageSaysWhatIsMissing() {
    assertThat(run("deploy", "web", "v2")).isEqualTo(2);
    assertThat(err.toString()).contains("no environment: give -e ENV");
    assertThat(run("deploy", "web", "v2", "-e", "prod")).isEqualTo(2);
    assertThat(err.toString()).contains("no trigger URL: give --trigger-url");
    assertThat(run("deploy", "web", "v2", "-e", "prod", "--trigger-url", "http://127.0.0.1:9")).isEqualTo(2);
    assertThat(err.toString()).contains("no trigger token: set STEVEDORE_TRIGGER_TOKEN");
  }

  @Test
  void atRefusesATimeInThePastAndAnUnreadableTime() {
    Map<String, String> env = Map.of("STEVEDORE_CONFIG", dir.resolve("c.yaml").toString(), "STEVEDORE_TRIGGER_TOKEN", "x".repeat(20));
    int code = Main.run(new String[] {"at", "2020-01-01T00:00:00Z", "web", "v2", "-e", "prod", "--trigger-url", "http://127.0.0.1:9"},
        new PrintWriter(out, true), new PrintWriter(err, true), env);
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("refusing a schedule in the past");
    assertThat(run("at", "soonish", "web", "v2", "-e", "prod")).isEqualTo(2);
    assertThat(err.toString()).contains("'soonish' is not a time");
    assertThat(run("at", "+1h", "web")).isEqualTo(2);
    assertThat(err.toString()).contains("at needs TIME SERVICE VERSION (or -c ID)");
  }

  @Test
  void completionScriptsCoverTheCommandsAndTheirOptions() {
    assertThat(run("completion", "bash")).isZero();
    String script = out.toString();
    assertThat(script).contains("complete -F _complete_stevedore").contains("deploy").contains("atrm").contains("--wait")
        .contains("use-context");
    out.getBuffer().setLength(0);
    assertThat(run("completion", "zsh")).isZero();
    assertThat(out.toString()).contains("bashcompinit");
    assertThat(run("completion", "fish")).isEqualTo(2);
  }

  @Test
  void configCommandsWriteAndReadContexts() {
    assertThat(run("config", "set-context", "local", "--trigger", "http://127.0.0.1:8080", "--audit", "http://127.0.0.1:8083",
        "--environment", "production", "--trigger-token-path", "deployer.token")).isZero();
    assertThat(run("config", "set-context", "prod", "--trigger", "https://deploy.example.com")).isZero();
    out.getBuffer().setLength(0);
    assertThat(run("config", "get-contexts")).isZero();
    assertThat(out.toString()).isEqualTo("""
        CURRENT  NAME   TRIGGER                     AUDIT                  ENVIRONMENT
        *        local  http://127.0.0.1:8080       http://127.0.0.1:8083  production
                 prod   https://deploy.example.com  -                      -
        """);
    assertThat(run("config", "use-context", "prod")).isZero();
    out.getBuffer().setLength(0);
    assertThat(run("config", "current-context")).isZero();
    assertThat(out.toString()).isEqualTo("prod\n");
    assertThat(run("config", "use-context", "nope")).isEqualTo(2);
    assertThat(err.toString()).contains("no context 'nope'");
  }
}
