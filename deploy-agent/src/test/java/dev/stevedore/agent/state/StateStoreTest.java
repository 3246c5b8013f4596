package dev.stevedore.agent.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close();
  }

  @Test
  void writesAtomicallyAndReadsBack(@TempDir Path dir) throws Exception {
    var worker = vertx.createSharedWorkerExecutor("state-test", 1);
    StateStore store = StateStore.open(vertx, dir, worker).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    AgentState.ServiceRecord web = store.state().service("web");
    web.current = new AgentState.Release("v2", "sha256:img", "r/x:v2", "sha256:dig");
    web.block("broken", "health-check failed", "d0", java.time.Instant.now(), java.time.Instant.now().plusSeconds(60));
    store.state().markProcessed("d1", 2);
    store.state().markProcessed("d2", 2);
    store.state().markProcessed("d3", 2);
    store.state().outbox.add(new AgentState.OutboxEntry("e1", "t", "k", "{}"));
    store.save().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

    assertThat(Files.exists(dir.resolve(StateStore.FILE + ".tmp"))).isFalse();
    AgentState read = StateStore.read(dir);
    assertThat(read.services.get("web").current.version).isEqualTo("v2");
    assertThat(read.services.get("web").blocked).extracting(b -> b.version).containsExactly("broken");
    assertThat(read.processed).containsExactly("d2", "d3");
    assertThat(read.outbox).extracting(e -> e.eventId).containsExactly("e1");
  }

  @Test
  void refusesACorruptFileWithAClearMessage(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve(StateStore.FILE), "{ not json");
    assertThatThrownBy(() -> StateStore.read(dir)).hasMessageContaining("unreadable").hasMessageContaining("move it aside");
  }

  @Test
  void startsEmptyWithoutAFile(@TempDir Path dir) throws IOException {
    assertThat(StateStore.read(dir.resolve("sub")).services).isEmpty();
  }
}
