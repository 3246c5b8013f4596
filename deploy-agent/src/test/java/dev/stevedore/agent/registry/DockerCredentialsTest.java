package dev.stevedore.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.process.ProcessRunner;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Docker's config read through real processes: fake helper scripts on the PATH given to the runner. */
class DockerCredentialsTest {
  private final Vertx vertx = Vertx.vertx();
  private final ProcessRunner runner = new ProcessRunner(vertx, vertx.createSharedWorkerExecutor("cred-test", 2));

  @TempDir
  Path dir;
  private Path bin;
  private DockerCredentials credentials;

  @BeforeEach
  void setUp() throws Exception {
    bin = Files.createDirectories(dir.resolve("bin"));
    credentials = new DockerCredentials(vertx, dir, runner, Duration.ofSeconds(2),
        Map.of("PATH", bin + ":/usr/bin:/bin"));
  }

  @AfterEach
  void close() {
    vertx.close();
  }

  private void config(String json) throws Exception {
    Files.writeString(dir.resolve("config.json"), json);
  }

  private void helper(String name, String body) throws Exception {
    Path p = bin.resolve("docker-credential-" + name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
  }

  private Optional<RegistryCredentials> lookup(String registry) throws Exception {
    return await(credentials.forRegistry(registry));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private Throwable failure(String registry) throws Exception {
    try {
      lookup(registry);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("lookup of " + registry + " succeeded");
  }

  @Test
  void readsAuthsFromTheFile() throws Exception {
    config("{\"auths\": {\"127.0.0.1:5000\": {\"auth\": \""
        + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
    RegistryCredentials c = lookup("127.0.0.1:5000").orElseThrow();
    assertThat(c.username()).isEqualTo("alice");
    assertThat(c.password()).isEqualTo("s3cret");
    assertThat(c.source()).isEqualTo(dir.resolve("config.json") + " auths");
    assertThat(lookup("other:5000")).isEmpty();
  }

  @Test
  void noFileIsAnonymous() throws Exception {
    assertThat(lookup("registry.example.com")).isEmpty();
  }

  @Test
  void aRegistrysHelperGetsTheServerAddressOnStdinAsAnArgumentList() throws Exception {
    // the helper answers with what it read on stdin and its arguments, to show both
    helper("fake", """
        read -r server || true
        printf '{"ServerURL":"%s","Username":"%s|%s","Secret":"from-helper"}' "$server" "$server" "$*"
        """);
    config("{\"credHelpers\": {\"registry.example.com\": \"fake\", \"https://index.docker.io/v1/\": \"fake\"}}");
    RegistryCredentials c = lookup("registry.example.com").orElseThrow();
    assertThat(c.username()).isEqualTo("registry.example.com|get");
    assertThat(c.password()).isEqualTo("from-helper");
    assertThat(c.source()).isEqualTo("docker-credential-fake");
    assertThat(lookup("docker.io").orElseThrow().username()).isEqualTo(DockerConfig.DOCKER_HUB_SERVER + "|get");
    assertThat(lookup("elsewhere.example.com")).isEmpty();
  }

  @Test
  void credsStoreAnswersForEveryOtherRegistry() throws Exception {
    helper("store", "cat >/dev/null; echo '{\"Username\":\"store-user\",\"Secret\":\"store-secret\"}'");
    helper("special", "cat >/dev/null; echo '{\"Username\":\"special-user\",\"Secret\":\"x\"}'");
    config("{\"credsStore\": \"store\", \"credHelpers\": {\"special.example.com\": \"special\"},"
        + " \"auths\": {\"ghcr.io\": {}}}");
    assertThat(lookup("ghcr.io").orElseThrow().username()).isEqualTo("store-user");
    assertThat(lookup("special.example.com").orElseThrow().username()).isEqualTo("special-user");
  }

  @Test
  void theTokenUserMeansAnIdentityToken() throws Exception {
    helper("tok", "cat >/dev/null; echo '{\"Username\":\"<token>\",\"Secret\":\"refresh-abc\"}'");
    config("{\"credsStore\": \"tok\"}");
    RegistryCredentials c = lookup("r.example.com").orElseThrow();
    assertThat(c.identityToken()).isEqualTo("refresh-abc");
    assertThat(c.password()).isNull();
  }

  @Test
  void credentialsNotFoundIsAnonymous() throws Exception {
    helper("empty", "cat >/dev/null; echo 'credentials not found in native keychain'; exit 1");
    config("{\"credsStore\": \"empty\"}");
    assertThat(lookup("r.example.com")).isEmpty();
  }

  @Test
  void aMissingHelperIsAClearError() throws Exception {
    config("{\"credsStore\": \"desktop\"}");
    assertThat(failure("r.example.com")).isInstanceOf(RegistryAuthException.class)
        .hasMessageContaining("credential helper docker-credential-desktop (for r.example.com) failed")
        .hasMessageContaining("not found on PATH");
  }

  @Test
  void aFailingHelperIsAClearError() throws Exception {
    helper("broken", "cat >/dev/null; echo 'gpg: decryption failed: No secret key' >&2; exit 3");
    config("{\"credsStore\": \"broken\"}");
    assertThat(failure("r.example.com")).hasMessageContaining("docker-credential-broken")
        .hasMessageContaining("exit 3").hasMessageContaining("decryption failed");
  }

  @Test
  void aHelperThatPrintsSomethingElseIsAnErrorThatDoesNotRepeatIt() throws Exception {
    helper("chatty", "cat >/dev/null; echo 'Username=alice Secret=hunter2'");
    config("{\"credsStore\": \"chatty\"}");
    assertThat(failure("r.example.com")).hasMessageContaining("printed something other than")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void aHangingHelperIsKilledAfterItsTimeout() throws Exception {
    helper("slow", "exec sleep 30");
    config("{\"credsStore\": \"slow\"}");
    long start = System.nanoTime();
    assertThat(failure("r.example.com")).hasMessageContaining("did not answer within its timeout");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void anUnreadableConfigIsAnError() throws Exception {
    config("{not json");
    assertThat(failure("r.example.com")).isInstanceOf(RegistryAuthException.class).hasMessageContaining("is not JSON");
  }
}
