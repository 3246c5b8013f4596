package dev.stevedore.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChallengeTest {

  @Test
  void readsDockerHubsBearerChallenge() {
    List<Challenge> c = Challenge.parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
        + "scope=\"repository:library/nginx:pull\"");
    assertThat(c).containsExactly(new Challenge(Challenge.Scheme.BEARER, "Bearer", Map.of(
        "realm", "https://auth.docker.io/token", "service", "registry.docker.io",
        "scope", "repository:library/nginx:pull")));
  }

  @Test
  void readsGhcrAndGitLabChallenges() {
    assertThat(Challenge.parse("Bearer realm=\"https://ghcr.io/token\",service=\"ghcr.io\",scope=\"repository:o/r:pull\""))
        .singleElement().satisfies(c -> assertThat(c.param("service")).isEqualTo("ghcr.io"));
    Challenge gitlab = Challenge.parse("Bearer realm=\"https://gitlab.com/jwt/auth\",service=\"container_registry\","
        + "scope=\"repository:group/project:pull\",error=\"insufficient_scope\"").get(0);
    assertThat(gitlab.param("realm")).isEqualTo("https://gitlab.com/jwt/auth");
    assertThat(gitlab.param("error")).isEqualTo("insufficient_scope");
  }

  @Test
  void aCommaInsideQuotesIsText() {
    Challenge c = Challenge.parse("Bearer realm=\"https://a/token\",scope=\"repository:x:pull,push\", service=\"s\"").get(0);
    assertThat(c.param("scope")).isEqualTo("repository:x:pull,push");
    assertThat(c.param("service")).isEqualTo("s");
  }

  @Test
  void escapesInsideQuotesAreRead() {
    assertThat(Challenge.parse("Basic realm=\"say \\\"hi\\\", \\\\ ok\"").get(0).param("realm"))
        .isEqualTo("say \"hi\", \\ ok");
  }

  @Test
  void schemeAndParameterNamesIgnoreCaseAndSpacesAroundEquals() {
    Challenge c = Challenge.parse("bEaReR  Realm = \"https://a/t\" ,  SERVICE=reg").get(0);
    assertThat(c.scheme()).isEqualTo(Challenge.Scheme.BEARER);
    assertThat(c.params()).isEqualTo(Map.of("realm", "https://a/t", "service", "reg"));
  }

  @Test
  void readsSeveralChallengesInOneHeader() {
    List<Challenge> c = Challenge.parse("Negotiate, Basic realm=\"Registry Realm\", Bearer realm=\"https://a/t\",service=x");
    assertThat(c).extracting(Challenge::scheme)
        .containsExactly(Challenge.Scheme.OTHER, Challenge.Scheme.BASIC, Challenge.Scheme.BEARER);
    assertThat(c.get(0).schemeName()).isEqualTo("Negotiate");
    assertThat(c.get(1).param("realm")).isEqualTo("Registry Realm");
    assertThat(c.get(2).params()).containsEntry("service", "x");
  }

  @Test
  void readsAToken68() {
    List<Challenge> c = Challenge.parse("Basic dXNlcjpwYXNz==, Bearer realm=\"https://a/t\"");
    assertThat(c.get(0).params()).isEmpty();
    assertThat(c.get(1).param("realm")).isEqualTo("https://a/t");
  }

  @Test
  void refusesWhatItCannotRead() {
    for (String bad : List.of("", "   ", ",,,", "Bearer realm=\"https://a/t", "Bearer realm=\"a\" service=\"b\"",
        "Bearer realm=\"a\",realm=\"b\"", "Bearer realm=\"a\"x", "Bearer realm=\"a\u0001\"",
        "\"Bearer\" realm=a", "Bearer=x", "Bearer realm=a b")) {
      assertThatThrownBy(() -> Challenge.parse(bad)).as(bad).isInstanceOf(RegistryAuthException.class)
          .hasMessageContaining("WWW-Authenticate");
    }
  }

  @Test
  void aTokenWithoutParametersIsAToken68NotARealm() {
    // "Bearer realm" is syntactically a token68: no realm parameter, which realm() then refuses
    assertThat(Challenge.parse("Bearer realm").get(0).params()).isEmpty();
    assertThat(Challenge.parse("Bearer realm=").get(0).params()).isEmpty();
    assertThatThrownBy(() -> RegistryClient.realm(Challenge.parse("Bearer realm=").get(0), "r"))
        .hasMessageContaining("without a realm");
  }

  @Test
  void refusesAnOversizedHeaderBeforeReadingIt() {
    String huge = "Bearer realm=\"https://a/t\",service=\"" + "x".repeat(Challenge.MAX_HEADER) + "\"";
    assertThatThrownBy(() -> Challenge.parse(huge)).isInstanceOf(RegistryAuthException.class)
        .hasMessageContaining("at most " + Challenge.MAX_HEADER);
  }

  @Test
  void refusesTooManyParameters() {
    StringBuilder h = new StringBuilder("Bearer realm=\"https://a/t\"");
    for (int i = 0; i < Challenge.MAX_PARAMS; i++) {
      h.append(",p").append(i).append("=v");
    }
    assertThatThrownBy(() -> Challenge.parse(h.toString())).hasMessageContaining("more than " + Challenge.MAX_PARAMS);
  }

  @Test
  void aRealmMustBeAnHttpsUrlOrLoopbackHttp() {
    assertThat(RegistryClient.realm(bearer("https://auth.docker.io/token"), "docker.io"))
        .isEqualTo(URI.create("https://auth.docker.io/token"));
    assertThat(RegistryClient.realm(bearer("http://127.0.0.1:4000/token?x=1"), "127.0.0.1:5000").getRawQuery())
        .isEqualTo("x=1");
    assertThat(RegistryClient.realm(bearer("http://[::1]:4000/token"), "r").getHost()).isEqualTo("[::1]");
    assertThat(RegistryClient.realm(bearer("http://localhost:4000/token"), "r").getHost()).isEqualTo("localhost");
    assertThatThrownBy(() -> RegistryClient.realm(new Challenge(Challenge.Scheme.BEARER, "Bearer", Map.of("service", "s")), "r"))
        .hasMessageContaining("without a realm");
    assertThatThrownBy(() -> RegistryClient.realm(bearer("ftp://auth.example.com/token"), "r"))
        .hasMessageContaining("is not an http(s) URL");
    assertThatThrownBy(() -> RegistryClient.realm(bearer("file:///etc/passwd"), "r"))
        .hasMessageContaining("is not an http(s) URL");
    assertThatThrownBy(() -> RegistryClient.realm(bearer("/token"), "r")).hasMessageContaining("is not an http(s) URL");
    assertThatThrownBy(() -> RegistryClient.realm(bearer("http://auth.example.com/token"), "r"))
        .hasMessageContaining("plain HTTP to a host that is not loopback");
    assertThatThrownBy(() -> RegistryClient.realm(bearer("http://127.0.0.1.evil.example/token"), "r"))
        .hasMessageContaining("plain HTTP to a host that is not loopback");
    assertThatThrownBy(() -> RegistryClient.realm(bearer("https://user:pw@auth.example.com/token"), "r"))
        .hasMessageContaining("needs a host and no user");
    assertThatThrownBy(() -> RegistryClient.realm(bearer("https://auth example/token"), "r"))
        .hasMessageContaining("is not a URL");
  }

  private static Challenge bearer(String realm) {
    return new Challenge(Challenge.Scheme.BEARER, "Bearer", Map.of("realm", realm));
  }
}
