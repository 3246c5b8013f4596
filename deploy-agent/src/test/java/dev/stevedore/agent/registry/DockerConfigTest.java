package dev.stevedore.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigTest {
  private static final String SECRET = "pa55:w0rd-secret";

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsBase64AuthAsDockerLoginWritesIt() {
    DockerConfig c = DockerConfig.parse("""
        {"auths": {"registry.example.com": {"auth": "%s"}}, "HttpHeaders": {"User-Agent": "x"}}
        """.formatted(b64("alice:" + SECRET)), "config.json");
    DockerConfig.Lookup l = c.lookup("registry.example.com");
    assertThat(l).isInstanceOf(DockerConfig.Lookup.Stored.class);
    RegistryCredentials creds = ((DockerConfig.Lookup.Stored) l).credentials();
    assertThat(creds.username()).isEqualTo("alice");
    assertThat(creds.password()).isEqualTo(SECRET);   // split at the first colon only
    assertThat(creds.basicAuthorization()).isEqualTo("Basic " + b64("alice:" + SECRET));
    assertThat(c.lookup("other.example.com")).isInstanceOf(DockerConfig.Lookup.None.class);
  }

  @Test
  void readsUsernameAndPasswordAndIdentityToken() {
    DockerConfig c = DockerConfig.parse("""
        {"auths": {
          "https://reg.example.com/v1/": {"username": "bob", "password": "%s"},
          "tok.example.com": {"auth": "%s", "identitytoken": "refresh-123"},
          "empty.example.com": {}
        }}""".formatted(SECRET, b64("carol:")), "config.json");
    RegistryCredentials bob = ((DockerConfig.Lookup.Stored) c.lookup("reg.example.com")).credentials();
    assertThat(bob.username()).isEqualTo("bob");
    assertThat(bob.password()).isEqualTo(SECRET);
    RegistryCredentials carol = ((DockerConfig.Lookup.Stored) c.lookup("tok.example.com")).credentials();
    assertThat(carol.identityToken()).isEqualTo("refresh-123");
    assertThat(carol.password()).isNull();
    assertThatThrownBy(carol::basicAuthorization).hasMessageContaining("identity token");
    // Docker writes {} when a helper keeps the secret: nothing stored
    assertThat(c.lookup("empty.example.com")).isInstanceOf(DockerConfig.Lookup.None.class);
  }

  @Test
  void keysAreReadAsDockerReadsThem() {
    DockerConfig c = DockerConfig.parse("""
        {"auths": {"https://index.docker.io/v1/": {"auth": "%s"},
                   "http://Localhost:5000/v2/": {"auth": "%s"}}}""".formatted(b64("hub:x"), b64("local:y")), "f");
    assertThat(((DockerConfig.Lookup.Stored) c.lookup("docker.io")).credentials().username()).isEqualTo("hub");
    assertThat(((DockerConfig.Lookup.Stored) c.lookup("localhost:5000")).credentials().username()).isEqualTo("local");
    assertThat(DockerConfig.hostname("registry-1.docker.io")).isEqualTo("docker.io");
    assertThat(DockerConfig.hostname("https://ghcr.io")).isEqualTo("ghcr.io");
  }

  @Test
  void aRegistrysHelperWinsOverTheStoreWhichWinsOverTheFile() {
    DockerConfig c = DockerConfig.parse("""
        {"auths": {"a.example.com": {"auth": "%s"}, "b.example.com": {"auth": "%s"}},
         "credHelpers": {"a.example.com": "ecr-login", "https://index.docker.io/v1/": "pass"},
         "credsStore": "secretservice"}""".formatted(b64("u:p"), b64("u:p")), "f");
    assertThat(c.lookup("a.example.com")).isEqualTo(new DockerConfig.Lookup.Helper("ecr-login", "a.example.com"));
    assertThat(c.lookup("docker.io")).isEqualTo(new DockerConfig.Lookup.Helper("pass", DockerConfig.DOCKER_HUB_SERVER));
    assertThat(c.lookup("b.example.com")).isEqualTo(new DockerConfig.Lookup.Helper("secretservice", "b.example.com"));
    assertThat(((DockerConfig.Lookup.Helper) c.lookup("a.example.com")).program()).isEqualTo("docker-credential-ecr-login");
    DockerConfig noStore = DockerConfig.parse("""
        {"auths": {"b.example.com": {"auth": "%s"}}, "credHelpers": {"a.example.com": "ecr-login"}}"""
        .formatted(b64("u:p")), "f");
    assertThat(noStore.lookup("b.example.com")).isInstanceOf(DockerConfig.Lookup.Stored.class);
  }

  @Test
  void helperNamesCannotBePathsOrArguments() {
    for (String bad : new String[] {"../../bin/sh", "/bin/sh", "x y", "-rf", ""}) {
      String json = "{\"credsStore\": \"" + bad + "\"}";
      if (bad.isEmpty()) {
        assertThat(DockerConfig.parse(json, "f").credsStore()).isNull();
        continue;
      }
      assertThatThrownBy(() -> DockerConfig.parse(json, "f")).as(bad).isInstanceOf(RegistryAuthException.class)
          .hasMessageContaining("is not a credential helper name");
      assertThatThrownBy(() -> DockerConfig.parse("{\"credHelpers\": {\"r\": \"" + bad + "\"}}", "f"))
          .hasMessageContaining("credHelpers.r");
    }
  }

  @Test
  void badFilesGiveErrorsThatNameTheFileAndNeverTheSecret() {
    assertThatThrownBy(() -> DockerConfig.parse("{\"auths\": {\"r\": {\"auth\": \"" + SECRET + "\"", "/x/config.json"))
        .isInstanceOf(RegistryAuthException.class).hasMessage("/x/config.json is not JSON");
    assertThatThrownBy(() -> DockerConfig.parse("{\"auths\": {\"r\": {\"auth\": \"" + SECRET + "\"}}}", "f"))
        .hasMessageContaining("auths.r: auth is not base64").hasMessageNotContaining(SECRET);
    assertThatThrownBy(() -> DockerConfig.parse("{\"auths\": {\"r\": {\"auth\": \"" + b64(SECRET.replace(":", ""))
        + "\"}}}", "f")).hasMessageContaining("not base64 of user:password");
    assertThatThrownBy(() -> DockerConfig.parse("[]", "f")).hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> DockerConfig.parse("{\"auths\": []}", "f")).hasMessageContaining("auths is not an object");
    assertThatThrownBy(() -> DockerConfig.parse("{\"auths\": {\"r\": {\"password\": 5}}}", "f"))
        .hasMessageContaining("password is not a string");
  }

  @Test
  void printsRegistriesNeverSecrets() {
    DockerConfig c = DockerConfig.parse("{\"auths\": {\"r.example.com\": {\"auth\": \"" + b64("alice:" + SECRET)
        + "\", \"identitytoken\": \"" + SECRET + "\"}}}", "f");
    assertThat(c.toString()).contains("r.example.com").doesNotContain(SECRET);
    RegistryCredentials creds = ((DockerConfig.Lookup.Stored) c.lookup("r.example.com")).credentials();
    assertThat(creds.toString()).contains("alice").doesNotContain(SECRET);
    assertThat(new RegistryCredentials("u", SECRET, null, "s").toString()).doesNotContain(SECRET).contains("(redacted)");
  }

  @Test
  void readsAFileAndTakesAMissingOneAsEmpty(@TempDir Path dir) throws Exception {
    assertThat(DockerConfig.read(dir.resolve("config.json")).lookup("r")).isInstanceOf(DockerConfig.Lookup.None.class);
    Files.writeString(dir.resolve("config.json"), "{\"auths\": {\"r\": {\"auth\": \"" + b64("a:b") + "\"}}}");
    assertThat(DockerConfig.read(dir.resolve("config.json")).lookup("r")).isInstanceOf(DockerConfig.Lookup.Stored.class);
    Files.write(dir.resolve("big.json"), new byte[DockerConfig.MAX_BYTES + 1]);
    assertThatThrownBy(() -> DockerConfig.read(dir.resolve("big.json"))).hasMessageContaining("larger than");
    assertThat(DockerCredentials.directory("", Map.of("DOCKER_CONFIG", "/etc/d", "HOME", "/home/x")))
        .isEqualTo(Path.of("/etc/d"));
    assertThat(DockerCredentials.directory(null, Map.of("HOME", "/home/x"))).isEqualTo(Path.of("/home/x/.docker"));
    assertThat(DockerCredentials.directory("/opt/cfg", Map.of("DOCKER_CONFIG", "/etc/d"))).isEqualTo(Path.of("/opt/cfg"));
  }
}
