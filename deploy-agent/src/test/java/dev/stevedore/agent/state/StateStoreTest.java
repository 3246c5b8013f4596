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

  /** A deployment resumed after a restart is the job it was: its trace context included. */
  @Test
  void theDesiredVersionKeepsTheRequestsTraceContextAcrossARestart(@TempDir Path dir) throws Exception {
    var worker = vertx.createSharedWorkerExecutor("state-test", 1);
    StateStore store = StateStore.open(vertx, dir, worker).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    var trace = new dev.stevedore.common.event.TraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "rojo=00f067aa0ba902b7");
    var job = new dev.stevedore.agent.deploy.DeployJob("d1", "web", "prod", "v2", java.time.Instant.now(), "manual",
        "stevedore://agent/h1", false, java.util.Optional.of(trace));
    store.state().service("web").desired = AgentState.Desired.of(job);
    store.state().service("api").desired = AgentState.Desired.of(new dev.stevedore.agent.deploy.DeployJob("d2", "api",
        "prod", "v3", java.time.Instant.now(), "manual", "stevedore://agent/h1"));
    store.save().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

    AgentState read = StateStore.read(dir);
    assertThat(read.services.get("web").desired.job("web")).isEqualTo(job);
    assertThat(read.services.get("web").desired.job("web").extensions())
        .containsEntry("traceparent", trace.traceparent()).containsEntry("tracestate", "rojo=00f067aa0ba902b7");
    assertThat(read.services.get("api").desired.job("api").trace()).isEmpty();
  }

  /** Group commit: saves asked for in one task share a write, and so do those asked for during a write. */
  @Test
  void savesShareWritesAndEachWaitsForItsChangesToBeOnDisk(@TempDir Path dir) throws Exception {
    var worker = vertx.createSharedWorkerExecutor("state-group", 1);
    StateStore store = StateStore.open(vertx, dir, worker).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    io.vertx.core.Context context = vertx.getOrCreateContext();
    java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
    java.util.List<io.vertx.core.Future<Void>> saves = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.CompletableFuture<Void> asked = new java.util.concurrent.CompletableFuture<>();
    context.runOnContext(v -> {
      // The one worker thread is busy: the first write waits behind this.
      worker.executeBlocking(() -> hold.await(10, TimeUnit.SECONDS), false);
      for (int i = 1; i <= 3; i++) { // one task, three saves: one write
        store.state().markProcessed("a" + i, 100);
        saves.add(store.save());
      }
      context.runOnContext(w -> {
        // a later task, while the first write waits for the worker: these share the second write
        for (int i = 1; i <= 3; i++) {
          store.state().markProcessed("b" + i, 100);
          saves.add(store.save());
        }
        asked.complete(null);
      });
    });
    asked.get(5, TimeUnit.SECONDS);
    assertThat(saves).noneMatch(io.vertx.core.Future::isComplete); // nothing is on disk yet
    hold.countDown();
    io.vertx.core.Future.all(saves).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(store.writes()).isEqualTo(2);
    assertThat(StateStore.read(dir).processed).containsExactly("a1", "a2", "a3", "b1", "b2", "b3");
    // From another thread: the save goes to the store's context and completes once written.
    store.state().markProcessed("c1", 100);
    store.save().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(store.writes()).isEqualTo(3);
    assertThat(StateStore.read(dir).processed).endsWith("c1");
  }

  @Test
  void refusesACorruptFileWithAClearMessage(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve(StateStore.FILE), "{ not json");
    assertThatThrownBy(() -> StateStore.read(dir)).hasMessageContaining("unreadable").hasMessageContaining("move it aside");
  }

  /**
   * A state file written by the agent before its mapper came from {@code JsonMappers} (made by
   * ca54e90's {@code StateStore} mapper): it loads with every field, and the agent writes the same
   * state back byte for byte.
   */
  @Test
  void aFileWrittenBeforeTheSharedMapperLoadsAndIsWrittenBackTheSame(@TempDir Path dir) throws Exception {
    byte[] old;
    try (var in = StateStoreTest.class.getResourceAsStream("/state/agent-state-before-10.json")) {
      old = in.readAllBytes();
    }
    Files.write(dir.resolve(StateStore.FILE), old);
    var worker = vertx.createSharedWorkerExecutor("state-test", 1);
    StateStore store = StateStore.open(vertx, dir, worker).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    AgentState state = store.state();
    assertThat(state.joinedAt).isEqualTo("2026-11-01T10:00:00Z");
    AgentState.ServiceRecord web = state.services.get("web");
    assertThat(web.current.digest).isEqualTo("sha256:dig2");
    assertThat(web.previous.version).isEqualTo("v1");
    assertThat(web.desired.waitingSince).isEqualTo(1764322300000L);
    assertThat(web.intent.failFault).isEqualTo(dev.stevedore.agent.driver.StepResult.Fault.VERSION);
    assertThat(web.intent.from.version).isEqualTo("v2");
    assertThat(web.state).isEqualTo(AgentState.Phase.WAITING);
    assertThat(web.blocked).extracting(b -> b.until).containsExactly("2026-11-29T08:00:00Z");
    assertThat(state.processed).containsExactly("d1", "d2");
    assertThat(state.outbox).extracting(e -> e.payload).containsExactly("{\"specversion\":\"1.0\",\"id\":\"e1\"}");

    Files.delete(dir.resolve(StateStore.FILE));
    store.save().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(Files.readString(dir.resolve(StateStore.FILE))).isEqualTo(new String(old, java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void startsEmptyWithoutAFile(@TempDir Path dir) throws IOException {
    assertThat(StateStore.read(dir.resolve("sub")).services).isEmpty();
  }
}
