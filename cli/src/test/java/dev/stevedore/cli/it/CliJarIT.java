package dev.stevedore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * What the {@code stevedore} jar carries: the CLI and push-client with Jackson, picocli, MINA SSHD and
 * Logback, and nothing of the services' stack. push-client once depended on {@code common}, which
 * brought Vert.x, Netty, the Kafka client and Micrometer: a 43 MB jar for a command line. It now
 * depends on {@code common-core} (JDK-only classes); this test keeps it that way.
 */
class CliJarIT {
  static final Path JAR = Path.of(System.getProperty("stevedore.cli.jar", "target/stevedore-cli-0.1.0-SNAPSHOT-all.jar"));
  static final long MAX_BYTES = 12L * 1024 * 1024;
  static final List<String> SERVICE_STACK =
      List.of("io/vertx/", "io/netty/", "org/apache/kafka/", "io/micrometer/", "io/github/resilience4j/",
          "org/bouncycastle/", "com/cronutils/");

  @Test
  void carriesTheClientOnlyAndStaysSmall() throws IOException {
    Path jar = JAR;
    assertThat(jar).as("the shaded jar (mvn package runs before failsafe)").exists();
    try (JarFile file = new JarFile(jar.toFile())) {
      List<String> names = file.stream().map(ZipEntry::getName).toList();
      assertThat(names).as("the CLI, push-client and the classes they share with the services")
          .contains("dev/stevedore/cli/Main.class", "dev/stevedore/push/PushMain.class",
              "dev/stevedore/common/security/Ed25519Keys.class", "org/apache/sshd/client/SshClient.class");
      for (String prefix : SERVICE_STACK) {
        assertThat(names).as("no %s in the CLI's jar", prefix).noneMatch(n -> n.startsWith(prefix));
      }
      assertThat(names.stream().filter(n -> n.startsWith("dev/stevedore/common/") && n.endsWith(".class")))
          .as("only common-core's classes of dev.stevedore.common")
          .allMatch(n -> n.startsWith("dev/stevedore/common/security/Ed25519Keys")
              || n.startsWith("dev/stevedore/common/security/PushSignatures")
              || n.startsWith("dev/stevedore/common/event/Versions"));
    }
    assertThat(Files.size(jar)).as("size of %s", jar).isLessThan(MAX_BYTES);
  }

  @Test
  void runsOnItsOwn() throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toString(), "--version").redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("--version within 60 s").isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).startsWith("stevedore ");
  }
}
