package dev.stevedore.agent.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.agent.process.Command;
import dev.stevedore.agent.process.CommandRunner;
import dev.stevedore.agent.process.ProcessResult;
import dev.stevedore.common.runtime.JsonMappers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Credentials from Docker's client configuration, as {@code docker pull} finds them:
 * {@code <directory>/config.json} read on a worker thread each time credentials are needed (so a
 * {@code docker login} is seen without a restart), and credential helpers run as
 * {@code docker-credential-<name> get} with the server address on stdin, through the agent's
 * {@link CommandRunner} (an argument list, no shell, a timeout). A helper's answer
 * {@code {"Username": ..., "Secret": ...}} with the user {@code <token>} is an identity token.
 * A helper that says "credentials not found" means anonymous; one that is missing, fails, hangs or
 * prints something else fails the lookup with a message naming the helper and the registry.
 */
public final class DockerCredentials implements CredentialSource {
  private static final Logger LOG = LoggerFactory.getLogger(DockerCredentials.class);
  private static final ObjectMapper JSON = JsonMappers.requestBodies(8, 32, 64 * 1024);
  /** The user name by which a helper marks its secret as an identity token. */
  static final String TOKEN_USER = "<token>";

  private final Vertx vertx;
  private final Path directory;
  private final CommandRunner runner;
  private final Duration helperTimeout;
  private final Map<String, String> helperEnvironment;

  /**
   * @param directory the directory holding {@code config.json} (Docker's {@code DOCKER_CONFIG})
   * @param helperEnvironment variables added to a helper's allow-listed environment (tests give a {@code PATH})
   */
  public DockerCredentials(Vertx vertx, Path directory, CommandRunner runner, Duration helperTimeout,
      Map<String, String> helperEnvironment) {
    this.vertx = vertx;
    this.directory = directory;
    this.runner = runner;
    this.helperTimeout = helperTimeout;
    this.helperEnvironment = Map.copyOf(helperEnvironment);
  }

  /**
   * The directory Docker would read: {@code configured} when set, else {@code DOCKER_CONFIG},
   * else {@code ~/.docker} of the agent's user.
   */
  public static Path directory(String configured, Map<String, String> env) {
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    String fromEnv = env.get("DOCKER_CONFIG");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    return Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".docker");
  }

  public Path file() {
    return directory.resolve("config.json");
  }

  @Override
  public Future<Optional<RegistryCredentials>> forRegistry(String registry) {
    return vertx.executeBlocking(() -> DockerConfig.read(file()), false).compose(config -> {
      DockerConfig.Lookup lookup = config.lookup(registry);
      if (lookup instanceof DockerConfig.Lookup.Stored s) {
        return Future.succeededFuture(Optional.of(s.credentials()));
      }
      if (lookup instanceof DockerConfig.Lookup.Helper h) {
        return ask(h, registry);
      }
      return Future.succeededFuture(Optional.empty());
    });
  }

  /** Runs {@code docker-credential-<helper> get}. */
  Future<Optional<RegistryCredentials>> ask(DockerConfig.Lookup.Helper helper, String registry) {
    Command command = new Command(List.of(helper.program(), "get"), null, helperEnvironment, helperTimeout)
        .withInput(helper.serverUrl()).withStdoutOnly().withLabel(helper.program() + " get");
    return runner.run(command).compose(result -> {
      try {
        return Future.succeededFuture(answer(helper, registry, result));
      } catch (RegistryAuthException e) {
        LOG.error("registry {}: {}", registry, e.getMessage());
        return Future.failedFuture(e);
      }
    });
  }

  /** What a helper's run means: credentials, none ("credentials not found"), or an error. */
  static Optional<RegistryCredentials> answer(DockerConfig.Lookup.Helper helper, String registry, ProcessResult r) {
    String who = "credential helper " + helper.program() + " (for " + registry + ")";
    if (r.timedOut()) {
      throw new RegistryAuthException(who + " did not answer within its timeout");
    }
    if (r.exitCode() != 0) {
      if (r.output().contains("credentials not found")) {
        return Optional.empty();
      }
      // a failed helper's output is its error message (never its secret: it has none to print)
      String tail = r.tail(300).strip().replaceAll("[\\r\\n]+", " ");
      throw new RegistryAuthException(who + " failed (exit " + r.exitCode() + "): " + tail);
    }
    JsonNode json;
    try {
      json = JSON.readTree(r.output());
    } catch (IOException e) {
      json = null;
    }
    if (json == null || !json.isObject() || !json.path("Secret").isTextual() || json.path("Secret").asText().isEmpty()
        || (json.has("Username") && !json.get("Username").isTextual())) {
      // never the output itself: it may hold the secret
      throw new RegistryAuthException(who + " printed something other than {\"Username\": ..., \"Secret\": ...}");
    }
    String user = json.path("Username").asText("");
    String secret = json.get("Secret").asText();
    return Optional.of(TOKEN_USER.equals(user)
        ? new RegistryCredentials("", null, secret, helper.program())
        : new RegistryCredentials(user, secret, null, helper.program()));
  }

  @Override
  public String toString() {
    return "DockerCredentials[" + file() + "]";
  }
}
