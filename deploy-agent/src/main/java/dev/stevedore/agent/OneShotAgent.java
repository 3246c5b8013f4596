package dev.stevedore.agent;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.deploy.CycleRunner;
import dev.stevedore.agent.deploy.DeployEvents;
import dev.stevedore.agent.deploy.EventSink;
import dev.stevedore.agent.deploy.Reconciler;
import dev.stevedore.agent.deploy.TestHookGate;
import dev.stevedore.agent.driver.Breakers;
import dev.stevedore.agent.driver.ComposeFlavor;
import dev.stevedore.agent.driver.Docker;
import dev.stevedore.agent.driver.Driver;
import dev.stevedore.agent.health.HealthChecker;
import dev.stevedore.agent.process.ProcessRunner;
import dev.stevedore.agent.push.PushFiles;
import dev.stevedore.agent.push.PushInbox;
import dev.stevedore.agent.push.PushProgress;
import dev.stevedore.agent.state.AgentKey;
import dev.stevedore.agent.state.Outbox;
import dev.stevedore.agent.state.StateStore;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.security.AgentSigner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The agent's core without Kafka, for {@code stevedore-agent deploy} when no agent daemon runs on
 * the host: the same state file, drivers, {@link CycleRunner} and {@link Reconciler} as the
 * daemon, fed only by the push hand-over folder ({@link PushInbox}). Its events go to the durable
 * outbox in the state file (signed with the agent's key); the daemon's relay publishes them when
 * it runs. The caller holds the host lock ({@link dev.stevedore.agent.state.HostLock}) while this
 * runs. Interrupted deployments are recovered first, as the daemon does at start-up.
 */
public final class OneShotAgent extends VerticleBase {
  private final AgentConfig config;
  private final EventCodec codec = new EventCodec();
  private WorkerExecutor processes;
  private WorkerExecutor stateWorker;
  private WebClient web;
  private PushInbox inbox;
  private Reconciler reconciler;

  public OneShotAgent(AgentConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    processes = vertx.createSharedWorkerExecutor("stevedore-push-process", 4,
        config.resilience().stepTimeout().toMillis() + 60_000, TimeUnit.MILLISECONDS);
    stateWorker = vertx.createSharedWorkerExecutor("stevedore-push-state", 1);
    web = WebClient.create(vertx);
    ProcessRunner runner = new ProcessRunner(vertx, processes);
    Breakers breakers = new Breakers(config.resilience());
    boolean needsCompose = config.services().values().stream().anyMatch(s -> s.driver() == dev.stevedore.agent.config.DriverKind.COMPOSE);
    Future<ComposeFlavor> flavor = needsCompose ? AgentService.detect(runner, config) : Future.succeededFuture(null);
    Path dir = Path.of(config.stateDirectory());
    return flavor.compose(f -> stateWorker.executeBlocking(() -> AgentKey.loadOrCreate(dir), false)
        .compose(keys -> StateStore.open(vertx, dir, stateWorker).compose(store -> {
          AgentSigner signer = new AgentSigner(keys, codec);
          Outbox outbox = new Outbox(store.state(), codec, signer::sign);
          EventSink toOutbox = EventSink.into(outbox);
          PushFiles files = new PushFiles(dir);
          PushProgress sink = new PushProgress(toOutbox, stateWorker, files);
          Docker docker = new Docker(runner, breakers.docker());
          Map<String, Driver> drivers = new HashMap<>();
          config.services().forEach((name, sc) -> drivers.put(name,
              AgentVerticle.driver(vertx, web, config, f, runner, breakers, name, sc, docker)));
          DeployEvents events = new DeployEvents(config.hostId(), Clock.systemUTC());
          CycleRunner cycle = new CycleRunner(store, sink, events, new HealthChecker(vertx, web),
              TestHookGate.of(vertx, config.testHooks(), store.directory()));
          reconciler = new Reconciler(vertx, config, store, drivers, cycle, events, sink, new SimpleMeterRegistry(),
              Clock.systemUTC());
          inbox = new PushInbox(vertx, config, store::state, reconciler, sink, files, Clock.systemUTC());
          return reconciler.recoverAll().compose(v -> AgentVerticle.inventory(store, drivers));
        }))).onSuccess(v -> inbox.start());
  }

  @Override
  public Future<?> stop() {
    if (inbox != null) {
      inbox.stop();
    }
    if (reconciler != null) {
      reconciler.stop();
    }
    if (web != null) {
      web.close();
    }
    if (processes != null) {
      processes.close();
    }
    if (stateWorker != null) {
      stateWorker.close();
    }
    return Future.succeededFuture();
  }
}
