package dev.stevedore.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AllowedImagesTest {
  @Test
  void anEntryAllowsReferencesThatContinueAtARepositoryBoundary() {
    List<String> entries = List.of("127.0.0.1:5000/stevedore-demo", "registry.example.com/");
    assertThat(AllowedImages.allows(entries, "127.0.0.1:5000/stevedore-demo:v2")).isTrue();
    assertThat(AllowedImages.allows(entries, "127.0.0.1:5000/stevedore-demo@sha256:" + "a".repeat(64))).isTrue();
    assertThat(AllowedImages.allows(entries, "registry.example.com/team/app:1")).isTrue();
    assertThat(AllowedImages.allows(entries, "127.0.0.1:5000/stevedore-demo-evil:v2")).isFalse();
    assertThat(AllowedImages.allows(entries, "registry.example.com.evil.io/app:1")).isFalse();
    assertThat(AllowedImages.allows(entries, "evil.example/miner:latest")).isFalse();
    assertThat(AllowedImages.allows(entries, "")).isFalse();
  }

  @Test
  void dockerHubNamesMatchTheirFullSpelling() {
    assertThat(AllowedImages.allows(List.of("docker.io/library/postgres"), "postgres:16")).isTrue();
    assertThat(AllowedImages.allows(List.of("docker.io/library/postgres"), "postgresx:16")).isFalse();
    assertThat(AllowedImages.allows(List.of(), "anything:1")).isTrue();
  }

  @Test
  void readsTheImageOfEveryServiceFromComposeConfig() {
    String yaml = """
        services:
          built:
            build:
              context: /srv/web
          db:
            image: postgres:16
          web:
            image: 127.0.0.1:5000/web:v2
        version: '3.9'
        """;
    assertThat(AllowedImages.imagesOf(yaml)).containsExactly(
        Map.entry("built", Optional.empty()), Map.entry("db", Optional.of("postgres:16")),
        Map.entry("web", Optional.of("127.0.0.1:5000/web:v2")));
    assertThatThrownBy(() -> AllowedImages.imagesOf("WARN[0000] oops\nnot: [yaml")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AllowedImages.imagesOf("version: '3'")).hasMessageContaining("no services");
  }

  @Test
  void refusesImagesOutsideTheListAndServicesThatWouldBeBuilt() {
    Map<String, Optional<String>> images = Map.of("web", Optional.of("127.0.0.1:5000/web:v2"),
        "miner", Optional.of("evil.example/miner:latest"), "built", Optional.empty());
    assertThat(AllowedImages.refusal(List.of("127.0.0.1:5000/"), images)).hasValueSatisfying(r ->
        assertThat(r).contains("miner (evil.example/miner:latest)").contains("built (no image").doesNotContain("web ("));
    assertThat(AllowedImages.refusal(List.of("127.0.0.1:5000/"), Map.of("web", Optional.of("127.0.0.1:5000/web:v2")))).isEmpty();
    assertThat(AllowedImages.refusal(List.of(), images)).isEmpty();
  }
}
