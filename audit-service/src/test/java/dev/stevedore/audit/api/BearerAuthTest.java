package dev.stevedore.audit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BearerAuthTest {
  final BearerAuth auth = new BearerAuth(List.of("first-token", "second-token"));

  @Test
  void acceptsEveryConfiguredToken() {
    assertThat(auth.authorized("Bearer first-token")).isTrue();
    assertThat(auth.authorized("Bearer second-token")).isTrue();
    assertThat(auth.authorized("bearer second-token")).isTrue();
  }

  @Test
  void refusesEverythingElse() {
    assertThat(auth.authorized(null)).isFalse();
    assertThat(auth.authorized("")).isFalse();
    assertThat(auth.authorized("Bearer")).isFalse();
    assertThat(auth.authorized("Bearer ")).isFalse();
    assertThat(auth.authorized("Bearer first-tokenX")).isFalse();
    assertThat(auth.authorized("Bearer first-toke")).isFalse();
    assertThat(auth.authorized("Basic first-token")).isFalse();
    assertThat(auth.authorized("first-token")).isFalse();
    assertThat(auth.authorized("Bearer " + "x".repeat(5000))).isFalse();
  }

  @Test
  void refusesToRunWithoutTokens() {
    assertThatThrownBy(() -> new BearerAuth(List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
