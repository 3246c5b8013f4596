package dev.stevedore.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.ProcessResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tarballs as docs/install.md uses them: each unpacks to one folder with its launcher, jar,
 * configuration and unit; all of them unpack together into one folder (/opt/stevedore in the docs)
 * with --strip-components=1; each launcher runs its jar (--version) with the JVM of JAVA_HOME; each
 * unit starts the launcher at /opt/stevedore/bin and reads the configuration file the tarball
 * ships under the name the unit expects.
 */
class TarballsIT {
  static final Path DIST = Path.of(System.getProperty("stevedore.dist.dir", "target"));
  static final String VERSION = System.getProperty("stevedore.dist.version", "0.1.0-SNAPSHOT");
  static final Duration TIMEOUT = Duration.ofMinutes(2);
  /** id -> launcher, jar, config file, unit (empty: none). */
  static final Map<String, List<String>> LAYOUT = Map.of(
      "agent", List.of("stevedore-agent", "deploy-agent.jar", "agent.yml", "stevedore-agent.service"),
      "trigger", List.of("stevedore-trigger", "trigger-service.jar", "trigger.yml", "stevedore-trigger.service"),
      "audit", List.of("stevedore-audit", "audit-service.jar", "audit.yml", "stevedore-audit.service"),
      "edge-proxy", List.of("stevedore-edge-proxy", "edge-proxy.jar", "edge-proxy.env", "stevedore-edge-proxy@.service"),
      "cli", List.of("stevedore", "stevedore-cli.jar", "cli-config.yaml", ""));

  @TempDir static Path dir;
  static Path opt;

  @BeforeAll
  static void unpackAllIntoOneFolder() throws IOException {
    opt = Files.createDirectories(dir.resolve("opt-stevedore"));
    for (String id : LAYOUT.keySet()) {
      tar("-xzf", tarball(id).toString(), "-C", opt.toString(), "--strip-components=1");
    }
  }

  static Path tarball(String id) {
    Path file = DIST.resolve("stevedore-" + VERSION + "-" + id + ".tar.gz");
    assertThat(file).as("mvn package makes it").exists();
    return file;
  }

  static ProcessResult tar(String... args) {
    return DockerTestSupport.run(TIMEOUT, Stream.concat(Stream.of("tar"), Stream.of(args)).toList()).orThrow();
  }

  @ParameterizedTest
  @ValueSource(strings = {"agent", "trigger", "audit", "edge-proxy", "cli"})
  void oneFolderWithLauncherJarConfigAndUnit(String id) {
    List<String> l = LAYOUT.get(id);
    String top = "stevedore-" + id + "-" + VERSION + "/";
    List<String> expected = Stream.of("bin/" + l.get(0), "lib/" + l.get(1), "config/" + l.get(2),
            l.get(3).isEmpty() ? null : "systemd/" + l.get(3), id.equals("cli") ? "doc/cli.md" : "doc/install.md")
        .filter(p -> p != null).map(p -> top + p).toList();
    assertThat(tar("-tzf", tarball(id).toString()).lines()).containsExactlyInAnyOrderElementsOf(expected);
    String modes = tar("-tzvf", tarball(id).toString()).out();
    assertThat(modes).containsPattern("-rwxr-xr-x \\S+ +\\d+ \\S+ \\S+ " + top + "bin/" + l.get(0));
  }

  @ParameterizedTest
  @ValueSource(strings = {"agent", "trigger", "audit", "edge-proxy", "cli"})
  void launcherRunsItsJar(String id) {
    ProcessResult version = DockerTestSupport.run(TIMEOUT, null,
        Map.of("JAVA_HOME", System.getProperty("java.home")),
        List.of(opt.resolve("bin").resolve(LAYOUT.get(id).get(0)).toString(), "--version"));
    assertThat(version.ok()).as(version.describe()).isTrue();
    assertThat(version.out()).as(version.describe()).contains(VERSION);
  }

  @ParameterizedTest
  @ValueSource(strings = {"agent", "trigger", "audit", "edge-proxy"})
  void unitStartsTheLauncherWithTheShippedConfigName(String id) throws IOException {
    List<String> l = LAYOUT.get(id);
    String unit = Files.readString(opt.resolve("systemd").resolve(l.get(3)));
    assertThat(unit).contains("ExecStart=/opt/stevedore/bin/" + l.get(0), "User=stevedore", "Restart=always",
        "RestartPreventExitStatus=2", "[Install]");
    String config = id.equals("edge-proxy") ? "EnvironmentFile=/etc/stevedore/edge-proxy-%i.env"
        : "--config /etc/stevedore/" + l.get(2);
    assertThat(unit).contains(config);
    assertThat(opt.resolve("config").resolve(l.get(2))).exists();
  }

  @Test
  void theShippedAgentConfigStopsWithItsReason() {
    ProcessResult run = DockerTestSupport.run(TIMEOUT, null, Map.of("JAVA_HOME", System.getProperty("java.home")),
        List.of(opt.resolve("bin/stevedore-agent").toString(), "--config", opt.resolve("config/agent.yml").toString()));
    assertThat(run.exitCode()).as(run.describe()).isEqualTo(2);
    assertThat(run.stdout() + run.stderr()).contains("hostId is required");
  }
}
