package dev.stevedore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cli/bin/stevedore}: finds the built jar from the build tree, through a symlink, or says why not. */
class LauncherIT {
  static final Path SCRIPT = Path.of("bin", "stevedore").toAbsolutePath();

  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  Run run(Path script, Map<String, String> env, String... args) throws Exception {
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    ProcessBuilder pb = new ProcessBuilder(concat(script.toString(), args)).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("STEVEDORE_"));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  static List<String> concat(String first, String... rest) {
    List<String> all = new java.util.ArrayList<>(List.of(first));
    all.addAll(List.of(rest));
    return all;
  }

  @Test
  void theScriptRunsTheJarOfTheBuildTreeAlsoThroughASymlink() throws Exception {
    Run direct = run(SCRIPT, Map.of(), "--version");
    assertThat(direct.code()).as(direct.toString()).isZero();
    assertThat(direct.out()).startsWith("stevedore 0.");
    Path link = Files.createSymbolicLink(dir.resolve("stevedore"), SCRIPT);
    Run linked = run(link, Map.of(), "atq", "--trigger-url", "http://127.0.0.1:1");
    assertThat(linked.code()).as("the CLI ran and found no token: " + linked).isEqualTo(2);
    assertThat(linked.err()).contains("no trigger token");
  }

  @Test
  void withoutAJarItSaysHowToBuildOne() throws Exception {
    Run r = run(SCRIPT, Map.of("STEVEDORE_CLI_JAR", dir.resolve("missing.jar").toString()), "--version");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("stevedore: no jar found; build it (mvn -pl cli -am package) or set STEVEDORE_CLI_JAR\n");
  }
}
