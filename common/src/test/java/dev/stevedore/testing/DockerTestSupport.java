package dev.stevedore.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code docker} and {@code docker-compose} (v1) commands for integration tests: argument
 * lists through {@link ProcessBuilder}, never a shell, always with a timeout and no standard
 * input. Also knows the local registry (system property {@value #REGISTRY_PROPERTY}, default
 * {@value #DEFAULT_REGISTRY}) and the demo images that scripts/build-images.sh pushes there.
 */
public final class DockerTestSupport {

  public static final String REGISTRY_PROPERTY = "stevedore.registry";
  public static final String DEFAULT_REGISTRY = "127.0.0.1:5000";
  /** Repository of the demo service in the local registry; tags v1..v4 and broken. */
  public static final String DEMO_REPOSITORY = "stevedore-demo";
  /** Label every container a test creates should carry (scripts/cleanup-containers.sh removes them). */
  public static final String TEST_LABEL = "stevedore.test=true";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();

  private DockerTestSupport() {}

  // ---- names ------------------------------------------------------------------------------------

  /** host:port of the local registry. */
  public static String registry() {
    return System.getProperty(REGISTRY_PROPERTY, DEFAULT_REGISTRY);
  }

  /** The demo image with a tag, e.g. {@code 127.0.0.1:5000/stevedore-demo:v1}. */
  public static String demoImage(String tag) {
    return registry() + "/" + DEMO_REPOSITORY + ":" + tag;
  }

  /** A name unlikely to clash: prefix plus 8 random hex digits. */
  public static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The docker client that builds without buildx (Debian's 20.10), else the one on PATH. */
  public static String dockerBinary() {
    return Files.isExecutable(Paths.get("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";
  }

  /** Compose v1 ({@code docker-compose}). */
  public static String composeBinary() {
    return Files.isExecutable(Paths.get("/usr/bin/docker-compose")) ? "/usr/bin/docker-compose" : "docker-compose";
  }

  /** The repository's root folder (the one holding scripts/), found upwards from the working folder. */
  public static Path repositoryRoot() {
    Path dir = Paths.get("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("scripts/prepare-test-env.sh"))) {
        return d;
      }
    }
    throw new IllegalStateException("no scripts/prepare-test-env.sh above " + dir);
  }

  // ---- processes --------------------------------------------------------------------------------

  /** Runs a command (no shell) with a timeout, in the current folder, with this environment. */
  public static ProcessResult run(Duration timeout, List<String> command) {
    return run(timeout, null, Map.of(), command);
  }

  /**
   * Runs a command (no shell): {@code workDir} null for the current folder, {@code env} added to
   * this process's environment. After the timeout the command is killed and the result says so.
   */
  public static ProcessResult run(Duration timeout, Path workDir, Map<String, String> env, List<String> command) {
    List<String> cmd = List.copyOf(command);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    if (workDir != null) {
      pb.directory(workDir.toFile());
    }
    pb.environment().putAll(env);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Path out = null;
    Path err = null;
    long t0 = System.nanoTime();
    try {
      out = Files.createTempFile("stevedore-cmd", ".out");
      err = Files.createTempFile("stevedore-cmd", ".err");
      pb.redirectOutput(out.toFile());
      pb.redirectError(err.toFile());
      Process process = pb.start();
      boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!finished) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
      return new ProcessResult(cmd, finished ? process.exitValue() : -1,
          Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8),
          elapsed, !finished);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + cmd, e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  /** {@code docker ARGS...} with the default timeout; check {@link ProcessResult#ok()}. */
  public static ProcessResult docker(String... args) {
    return docker(DEFAULT_TIMEOUT, args);
  }

  public static ProcessResult docker(Duration timeout, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(dockerBinary());
    cmd.addAll(Arrays.asList(args));
    return run(timeout, null, Map.of("DOCKER_BUILDKIT", "0"), cmd);
  }

  /** {@code docker ARGS...} that must succeed (else {@link IllegalStateException} with the output). */
  public static ProcessResult dockerOk(String... args) {
    return docker(args).orThrow();
  }

  /**
   * {@code docker-compose -f FILE -p PROJECT ARGS...} in the compose file's folder, with the
   * default timeout.
   */
  public static ProcessResult compose(Path composeFile, String project, String... args) {
    return compose(DEFAULT_TIMEOUT, composeFile, project, Map.of(), args);
  }

  /** {@code docker-compose -f FILE -p PROJECT ARGS...} with extra environment variables. */
  public static ProcessResult compose(Duration timeout, Path composeFile, String project,
                                      Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>(List.of(composeBinary(), "-f", composeFile.toAbsolutePath().toString(),
        "-p", project));
    cmd.addAll(Arrays.asList(args));
    return run(timeout, composeFile.toAbsolutePath().getParent(), env, cmd);
  }

  // ---- inspection -------------------------------------------------------------------------------

  public static boolean imageExists(String image) {
    return docker(Duration.ofSeconds(30), "image", "inspect", image).ok();
  }

  public static boolean containerRunning(String container) {
    ProcessResult r = docker(Duration.ofSeconds(30), "inspect", "-f", "{{.State.Running}}", container);
    return r.ok() && r.out().equals("true");
  }

  /** Id ({@code sha256:...}) of the image a container runs. */
  public static String containerImageId(String container) {
    return dockerOk("inspect", "-f", "{{.Image}}", container).out();
  }

  /** The image's repository digests ({@code repo@sha256:...}); empty for an image never pushed or pulled. */
  public static List<String> repoDigests(String image) {
    String out = dockerOk("image", "inspect", "-f", "{{range .RepoDigests}}{{println .}}{{end}}", image).out();
    return out.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
  }

  /**
   * Digest the local registry holds for {@code repository:tag} (from the
   * {@code Docker-Content-Digest} header of a manifest HEAD request); empty when there is none.
   */
  public static Optional<String> registryDigest(String repository, String tag) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + registry() + "/v2/" + repository + "/manifests/" + tag))
        .method("HEAD", HttpRequest.BodyPublishers.noBody())
        .header("Accept", "application/vnd.docker.distribution.manifest.v2+json, "
            + "application/vnd.oci.image.manifest.v1+json")
        .timeout(Duration.ofSeconds(5))
        .build();
    try {
      HttpResponse<Void> response = HTTP.send(request, HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200 ? response.headers().firstValue("Docker-Content-Digest") : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Whether the registry's API answers. */
  public static boolean registryUp() {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + registry() + "/v2/"))
        .timeout(Duration.ofSeconds(2)).build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---- environment control ----------------------------------------------------------------------

  /** Stops the local registry (scripts/stop-registry.sh), e.g. to open a circuit breaker. */
  public static void stopRegistry() {
    run(Duration.ofSeconds(30), List.of(repositoryRoot().resolve("scripts/stop-registry.sh").toString())).orThrow();
  }

  /** Starts the local registry again (scripts/start-registry.sh) and waits until it answers. */
  public static void startRegistry() {
    run(Duration.ofSeconds(60), List.of(repositoryRoot().resolve("scripts/start-registry.sh").toString())).orThrow();
  }

  /** Removes (with their volumes) all containers that carry the label {@code key=value}. */
  public static void removeContainersLabelled(String label) {
    List<String> ids = dockerOk("ps", "-aq", "--filter", "label=" + label).lines();
    if (!ids.isEmpty()) {
      List<String> args = new ArrayList<>(List.of("rm", "-f", "-v"));
      args.addAll(ids);
      dockerOk(args.toArray(String[]::new));
    }
  }

  private static void deleteQuietly(Path path) {
    if (path != null) {
      try {
        Files.deleteIfExists(path);
      } catch (IOException ignored) {
        // a temp file
      }
    }
  }
}
