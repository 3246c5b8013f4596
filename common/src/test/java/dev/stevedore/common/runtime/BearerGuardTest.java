package dev.stevedore.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BearerGuardTest {
  final BearerGuard<String> guard = BearerGuard.of(orderedMap("first-token", "alice", "second-token", "bob"));

  @Test
  void acceptsEveryConfiguredTokenAndNamesItsPrincipal() {
    assertThat(guard.authenticate("Bearer first-token")).contains("alice");
    assertThat(guard.authenticate("Bearer second-token")).contains("bob");
    assertThat(guard.authenticate("bearer second-token")).contains("bob");
  }

  @Test
  void refusesEverythingElse() {
    assertThat(guard.authenticate(null)).isEmpty();
    assertThat(guard.authenticate("")).isEmpty();
    assertThat(guard.authenticate("Bearer")).isEmpty();
    assertThat(guard.authenticate("Bearer ")).isEmpty();
    assertThat(guard.authenticate("Bearer first-tokenX")).isEmpty();
    assertThat(guard.authenticate("Bearer first-toke")).isEmpty();
    assertThat(guard.authenticate("Basic first-token")).isEmpty();
    assertThat(guard.authenticate("first-token")).isEmpty();
    assertThat(guard.authenticate("Bearer " + "x".repeat(5000))).isEmpty();
  }

  @Test
  void theFirstOfTwoEqualTokensWins() {
    BearerGuard<String> twice = BearerGuard.of(orderedMap("same-token", "first", "other-token", "second"));
    assertThat(twice.authenticate("Bearer same-token")).contains("first");
  }

  @Test
  void refusesABlankToken() {
    assertThatThrownBy(() -> BearerGuard.of(Map.of(" ", "x"))).isInstanceOf(IllegalArgumentException.class);
  }

  private static Map<String, String> orderedMap(String k1, String v1, String k2, String v2) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(k1, v1);
    m.put(k2, v2);
    return m;
  }
}
