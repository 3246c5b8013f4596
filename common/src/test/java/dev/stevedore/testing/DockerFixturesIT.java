package dev.stevedore.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Docker fixtures against the local registry and the demo images it holds. */
class DockerFixturesIT {

  @Test
  void demoImageFromTheLocalRegistryServesItsVersion() {
    assertThat(DockerTestSupport.registryUp()).as("registry %s answers", DockerTestSupport.registry()).isTrue();
    String image = DockerTestSupport.demoImage("v1");
    DockerTestSupport.dockerOk("pull", image);
    String digest = DockerTestSupport.registryDigest(DockerTestSupport.DEMO_REPOSITORY, "v1").orElseThrow();
    assertThat(DockerTestSupport.repoDigests(image)).anyMatch(d -> d.endsWith("@" + digest));

    String name = DockerTestSupport.uniqueName("demo-it");
    int port = FreePorts.find();
    try {
      runDemo(name, port, image);
      try (HttpProbe probe = HttpProbe.start("http://127.0.0.1:" + port + "/version", Duration.ofMillis(20))) {
        assertThat(probe.awaitBody("v1", Duration.ofSeconds(15))).as(probe.summary()).isTrue();
        probe.reset();
        assertThat(probe.awaitSamples(10, Duration.ofSeconds(10))).isTrue();
        probe.stop();
        assertThat(probe.failures()).as(probe.summary()).isZero();
        assertThat(probe.bodiesSeen()).containsExactly("v1");
      }
      assertThat(DockerTestSupport.containerImageId(name))
          .isEqualTo(DockerTestSupport.dockerOk("image", "inspect", "-f", "{{.Id}}", image).out());
    } finally {
      DockerTestSupport.docker("rm", "-f", name);
    }
  }

  @Test
  void brokenReleaseFailsEveryProbe() {
    String image = DockerTestSupport.demoImage("broken");
    DockerTestSupport.dockerOk("pull", image);
    String name = DockerTestSupport.uniqueName("demo-broken-it");
    int port = FreePorts.find();
    try {
      runDemo(name, port, image);
      try (HttpProbe probe = HttpProbe.start("http://127.0.0.1:" + port + "/version", Duration.ofMillis(50))) {
        assertThat(probe.awaitSamples(20, Duration.ofSeconds(15))).isTrue();
        probe.stop();
        assertThat(probe.successes()).as(probe.summary()).isZero();
        assertThat(probe.samples()).anyMatch(s -> s.status() == 500);
      }
    } finally {
      DockerTestSupport.docker("rm", "-f", name);
    }
  }

  @Test
  void commandsTimeOutAndReportTheirOutput() {
    ProcessResult slow = DockerTestSupport.run(Duration.ofMillis(300), List.of("sleep", "5"));
    assertThat(slow.timedOut()).isTrue();
    assertThat(slow.ok()).isFalse();
    assertThat(slow.elapsed()).isLessThan(Duration.ofSeconds(4));

    ProcessResult echo = DockerTestSupport.run(Duration.ofSeconds(5), List.of("echo", "a b; $(nothing)"));
    assertThat(echo.ok()).isTrue();
    assertThat(echo.out()).isEqualTo("a b; $(nothing)");
  }

  private static void runDemo(String name, int port, String image) {
    DockerTestSupport.dockerOk("run", "-d", "--name", name, "--label", DockerTestSupport.TEST_LABEL,
        "--dns", "127.0.0.1", "-e", "PORT=" + port, "-p", "127.0.0.1:" + port + ":" + port, image);
  }
}
