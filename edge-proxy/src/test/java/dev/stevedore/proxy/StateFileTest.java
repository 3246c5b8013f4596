package dev.stevedore.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFileTest {
  /**
   * A state file written by the proxy before its mapper came from {@code JsonMappers} (made by
   * ca54e90's {@code StateFile} mapper): it loads, and the same state is written back byte for byte.
   */
  @Test
  void aFileWrittenBeforeTheSharedMapperLoadsAndIsWrittenBackTheSame(@TempDir Path dir) throws Exception {
    byte[] old;
    try (var in = StateFileTest.class.getResourceAsStream("/state/proxy-state-before-10.json")) {
      old = in.readAllBytes();
    }
    Path path = dir.resolve("proxy-state.json");
    Files.write(path, old);
    StateFile file = new StateFile(path);
    ProxyState state = file.load();
    assertThat(state).isEqualTo(new ProxyState(new Upstream("green", 8082), 7, Instant.parse("2026-11-28T09:30:00.123456Z")));

    Path again = dir.resolve("again.json");
    new StateFile(again).save(state);
    assertThat(Files.readString(again)).isEqualTo(new String(old, StandardCharsets.UTF_8));
  }

  @Test
  void noFileIsTheEmptyStateAndASavedStateReadsBack(@TempDir Path dir) throws Exception {
    StateFile file = new StateFile(dir.resolve("sub/proxy-state.json"));
    assertThat(file.load()).isEqualTo(ProxyState.empty());
    ProxyState switched = ProxyState.empty().switchTo(new Upstream("blue", 8081), Instant.parse("2026-11-29T10:00:00Z"));
    file.save(switched);
    assertThat(file.load()).isEqualTo(switched);
    assertThat(Files.exists(dir.resolve("sub/proxy-state.json.tmp"))).isFalse();
  }
}
