package dev.stevedore.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A registry of this test's own ({@code /usr/bin/docker-registry serve}) on a free loopback port
 * with its own storage, so stopping it disturbs no other test that uses 127.0.0.1:5000.
 */
public final class PrivateRegistry implements AutoCloseable {
  public final int port;
  private final Path dir;
  private Process process;
  private final List<String> localTags = new ArrayList<>();

  public PrivateRegistry(Path dir) throws Exception {
    this.dir = dir;
    this.port = FreePorts.find();
    Files.createDirectories(dir.resolve("storage"));
    Files.writeString(dir.resolve("config.yml"), """
        version: 0.1
        log:
          level: warn
          accesslog:
            disabled: true
        storage:
          filesystem:
            rootdirectory: %s
          delete:
            enabled: true
        http:
          addr: 127.0.0.1:%d
        """.formatted(dir.resolve("storage"), port));
    start();
  }

  public String host() {
    return "127.0.0.1:" + port;
  }

  public String repository(String name) {
    return host() + "/" + name;
  }

  public void start() throws Exception {
    process = new ProcessBuilder("/usr/bin/docker-registry", "serve", dir.resolve("config.yml").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("private registry on " + host() + " did not answer: " + Files.readString(dir.resolve("registry.log")));
  }

  public void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Copies a local image into this registry as {@code name:tag}. */
  public String push(String localImage, String name, String tag) {
    String target = repository(name) + ":" + tag;
    DockerTestSupport.dockerOk("tag", localImage, target);
    DockerTestSupport.dockerOk("push", target);
    localTags.add(target);
    return target;
  }

  public void untag(String image) {
    DockerTestSupport.docker("rmi", image);
    localTags.remove(image);
  }

  /** Stops it and removes every local tag of its images: those it pushed and those agents pulled from it. */
  @Override
  public void close() throws InterruptedException {
    stop();
    for (String t : localTags) {
      DockerTestSupport.docker("rmi", t);
    }
    ProcessResult pulled = DockerTestSupport.docker("images", "--format", "{{.Repository}}:{{.Tag}}",
        "--filter", "reference=" + host() + "/*");
    if (pulled.ok()) {
      pulled.out().lines().filter(l -> l.startsWith(host() + "/")).forEach(t -> DockerTestSupport.docker("rmi", t));
    }
  }
}
