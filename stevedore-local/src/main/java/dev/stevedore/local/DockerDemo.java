package dev.stevedore.local;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The demo app as a docker-compose project (busybox httpd serving its version), deployed by the
 * agent's compose driver from the local registry.
 */
final class DockerDemo implements Demo {
  private static final Duration T = Duration.ofSeconds(60);
  private final LocalConfig.Demo config;
  private final String compose;
  private Path dir;

  private DockerDemo(LocalConfig.Demo config, String compose) {
    this.config = config;
    this.compose = compose;
  }

  /** The Docker demo, or why it cannot run here. */
  static Availability probe(LocalConfig.Demo config) {
    if (!Processes.run(null, Duration.ofSeconds(10), "docker", "info").ok()) {
      return Availability.no("no Docker engine answers (docker info failed)");
    }
    String compose;
    if (Processes.run(null, Duration.ofSeconds(10), "docker-compose", "version").ok()) {
      compose = "docker-compose";
    } else if (Processes.run(null, Duration.ofSeconds(10), "docker", "compose", "version").ok()) {
      compose = "docker compose";
    } else {
      return Availability.no("neither docker-compose nor docker compose is installed");
    }
    for (String tag : List.of(config.firstVersion(), config.nextVersion())) {
      if (!manifestExists(config, tag)) {
        return Availability.no("the registry " + config.registry() + " has no image " + config.image() + ":" + tag
            + " (bash scripts/prepare-test-env.sh builds and pushes the demo images)");
      }
    }
    return new Availability(Optional.of(new DockerDemo(config, compose)), null);
  }

  record Availability(Optional<Demo> demo, String reason) {
    static Availability no(String reason) {
      return new Availability(Optional.empty(), reason);
    }
  }

  private static boolean manifestExists(LocalConfig.Demo config, String tag) {
    try {
      HttpRequest request = HttpRequest.newBuilder(
              URI.create("http://" + config.registry() + "/v2/" + config.repository() + "/manifests/" + tag))
          .method("HEAD", HttpRequest.BodyPublishers.noBody())
          .header("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
          .timeout(Duration.ofSeconds(5)).build();
      return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public String mode() {
    return "docker";
  }

  @Override
  public void prepare(Path dir) throws Exception {
    this.dir = Files.createDirectories(dir.resolve("demo-compose"));
    Files.writeString(this.dir.resolve("docker-compose.yml"), """
        # Written by the Stevedore launcher: the demo service the local agent deploys.
        version: "2.4"
        services:
          demo:
            image: %s:${VERSION}
            network_mode: host
            init: true
            environment:
              PORT: "%d"
        """.formatted(config.image(), config.port()));
  }

  @Override
  public String agentServiceYaml() {
    return """
          demo:
            driver: compose
            projectDirectory: "%s"
            projectName: stevedore-local-demo
            composeService: demo
            image: "%s"
            strategy: default
            rollback: true
            healthCheck:
              type: http
              url: "%s"
              expectedStatus: 200
              interval: PT0.2S
              deadline: PT30S
        """.formatted(dir, config.image(), versionUrl());
  }

  @Override
  public String versionUrl() {
    return "http://127.0.0.1:" + config.port() + "/version";
  }

  @Override
  public void close() {
    if (dir == null) {
      return;
    }
    List<String> command = new java.util.ArrayList<>(List.of(compose.split(" ")));
    command.addAll(List.of("-p", "stevedore-local-demo", "down"));
    Processes.run(dir, Map.of("VERSION", config.firstVersion()), T, command);
  }
}
