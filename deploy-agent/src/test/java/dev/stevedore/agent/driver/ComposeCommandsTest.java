package dev.stevedore.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.config.DriverKind;
import dev.stevedore.agent.config.ServiceConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComposeCommandsTest {
  private final ComposeCommands v1 = new ComposeCommands(ComposeFlavor.V1, "docker", "web", List.of("docker-compose.yml"));
  private final ComposeCommands v2 = new ComposeCommands(ComposeFlavor.V2, "/usr/bin/docker", "web",
      List.of("base.yml", "prod.yml"));

  @Test
  void buildsV1Commands() {
    assertThat(v1.pull()).containsExactly("docker-compose", "-p", "web", "-f", "docker-compose.yml", "pull");
    assertThat(v1.down()).containsExactly("docker-compose", "-p", "web", "-f", "docker-compose.yml", "down");
    assertThat(v1.config()).containsExactly("docker-compose", "-p", "web", "-f", "docker-compose.yml", "config");
    assertThat(v1.upDetached()).containsExactly("docker-compose", "-p", "web", "-f", "docker-compose.yml", "up", "-d");
    assertThat(v1.containerIds("app")).containsExactly("docker-compose", "-p", "web", "-f", "docker-compose.yml", "ps", "-q", "app");
  }

  @Test
  void buildsV2CommandsWithEveryComposeFile() {
    assertThat(v2.upDetached()).containsExactly("/usr/bin/docker", "compose", "-p", "web", "-f", "base.yml", "-f",
        "prod.yml", "up", "-d");
    assertThat(v2.runOnce("migrate", List.of("--to", "latest"))).containsExactly("/usr/bin/docker", "compose", "-p",
        "web", "-f", "base.yml", "-f", "prod.yml", "run", "--rm", "-T", "migrate", "--to", "latest");
  }

  @Test
  void versionProbesDifferPerFlavour() {
    assertThat(ComposeFlavor.V2.versionProbe("docker")).containsExactly("docker", "compose", "version");
    assertThat(ComposeFlavor.V1.versionProbe("docker")).containsExactly("docker-compose", "version");
  }

  @Test
  void versionTravelsOnlyInTheEnvironment() {
    ServiceConfig sc = new ServiceConfig(DriverKind.COMPOSE, "/srv/web", null, null, null, null, "IMAGE",
        "127.0.0.1:5000/web", Map.of("PORT", "8080"), null, null, null, null, null, null, null);
    assertThat(ComposeDriver.environment(sc, "v2")).containsEntry("VERSION", "v2")
        .containsEntry("IMAGE", "127.0.0.1:5000/web:v2").containsEntry("PORT", "8080");
    String digest = "sha256:" + "a".repeat(64);
    assertThat(ComposeDriver.environment(sc, digest)).containsEntry("IMAGE", "127.0.0.1:5000/web@" + digest);
  }

  @Test
  void dockerAndGitCommandsAreArgumentLists() {
    DockerCommands d = new DockerCommands("docker");
    assertThat(d.tag("sha256:abc", "r/x:v1")).containsExactly("docker", "tag", "sha256:abc", "r/x:v1");
    assertThat(d.repoDigests("sha256:abc")).containsExactly("docker", "image", "inspect", "-f", "{{json .RepoDigests}}", "sha256:abc");
    GitCommands g = new GitCommands("git");
    assertThat(g.fetch("origin")).containsExactly("git", "fetch", "--tags", "--prune", "--", "origin");
    assertThat(g.checkout("0123abc")).containsExactly("git", "checkout", "--quiet", "--force", "--detach", "0123abc");
    assertThat(g.resolveCommit(GitCommands.tagRef("v1.2"))).containsExactly("git", "rev-parse", "--verify", "--quiet",
        "--end-of-options", "refs/tags/v1.2^{commit}");
  }

  @Test
  void pullFailuresThatTheRegistryAnsweredAreNotTransient() {
    assertThat(ComposeDriver.notFound("ERROR: manifest for x:nope not found: manifest unknown")).isTrue();
    assertThat(ComposeDriver.notFound("Get \"http://127.0.0.1:5001/v2/\": dial tcp: connect: connection refused")).isFalse();
    assertThat(Docker.daemonUnreachable("Couldn't connect to Docker daemon at http+docker://localhost")).isTrue();
    assertThat(Docker.daemonUnreachable("manifest unknown")).isFalse();
  }
}
