package dev.stevedore.agent;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.DriverKind;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.deploy.CycleRunner;
import dev.stevedore.agent.deploy.DeployEvents;
import dev.stevedore.agent.deploy.Reconciler;
import dev.stevedore.agent.deploy.TestHookGate;
import dev.stevedore.agent.driver.BlueGreenDriver;
import dev.stevedore.agent.driver.Breakers;
import dev.stevedore.agent.driver.ComposeDriver;
import dev.stevedore.agent.driver.ComposeFlavor;
import dev.stevedore.agent.driver.Docker;
import dev.stevedore.agent.driver.Driver;
import dev.stevedore.agent.driver.GitDriver;
import dev.stevedore.agent.driver.ProxyAdmin;
import dev.stevedore.agent.health.HealthChecker;
import dev.stevedore.agent.kafka.DeadLetterSender;
import dev.stevedore.agent.kafka.Heartbeats;
import dev.stevedore.agent.kafka.OutboxRelay;
import dev.stevedore.agent.kafka.RequestConsumer;
import dev.stevedore.agent.kafka.RequestHandler;
import dev.stevedore.agent.poll.Poller;
import dev.stevedore.agent.process.CommandRunner;
import dev.stevedore.agent.registry.RegistryClient;
import dev.stevedore.agent.state.AgentKey;
import dev.stevedore.agent.state.StateStore;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.kafka.EventPublisher;
import dev.stevedore.common.security.AgentSigner;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestVerifier;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's core on one event loop: durable state, the cycle, the requests consumer, the outbox
 * relay, heartbeats and polling. Start-up order: state read, interrupted deployments recovered,
 * outbox relayed, then requests consumed. Answers {@link #STATUS_ADDRESS} on the event bus with
 * the heartbeat it would send.
 */
public final class AgentVerticle extends VerticleBase {
  public static final String STATUS_ADDRESS = "stevedore.agent.status";
  private static final Logger LOG = LoggerFactory.getLogger(AgentVerticle.class);

  private final AgentConfig config;
  private final List<PublicKey> trustedKeys;
  private final ComposeFlavor flavor;
  private final CommandRunner runner;
  private final WorkerExecutor stateWorker;
  private final MeterRegistry metrics;
  private final Breakers breakers;
  private final EventCodec codec = new EventCodec();

  private EventPublisher publisher;
  private WebClient web;
  private StateStore store;
  private OutboxRelay relay;
  private RequestConsumer consumer;
  private Poller poller;
  private Reconciler reconciler;
  private Heartbeats heartbeats;
  private AgentSigner signer;
  private long heartbeatTimer = -1;

  public AgentVerticle(AgentConfig config, List<PublicKey> trustedKeys, ComposeFlavor flavor, CommandRunner runner,
      WorkerExecutor stateWorker, MeterRegistry metrics, Breakers breakers) {
    this.config = config;
    this.trustedKeys = trustedKeys;
    this.flavor = flavor;
    this.runner = runner;
    this.stateWorker = stateWorker;
    this.metrics = metrics;
    this.breakers = breakers;
  }

  @Override
  public Future<?> start() {
    web = WebClient.create(vertx);
    return EventPublisher.create(vertx, config.kafka().withClientId(config.kafka().clientId() + "-" + config.hostId()),
        codec, breakers.kafka()).onSuccess(p -> publisher = p)
        .compose(p -> stateWorker.executeBlocking(() -> AgentKey.loadOrCreate(Path.of(config.stateDirectory())), false))
        .map(keys -> {
          signer = new AgentSigner(keys, codec);
          LOG.info("agent {} signs its events with key {}; its public key (also in {}):\n{}", config.hostId(),
              signer.keyId(), Path.of(config.stateDirectory()).resolve(AgentKey.PUBLIC_FILE),
              Ed25519Keys.toPem(keys.getPublic()));
          return keys;
        })
        .compose(k -> StateStore.open(vertx, Path.of(config.stateDirectory()), stateWorker)).compose(s -> {
      store = s;
      relay = new OutboxRelay(vertx, store, publisher::publishEncoded, codec, config.resilience().outboxRetry(),
          signer::sign);
      Docker docker = new Docker(runner, breakers.docker());
      Map<String, Driver> drivers = new HashMap<>();
      config.services().forEach((name, sc) -> drivers.put(name, driver(name, sc, docker)));
      HealthChecker health = new HealthChecker(vertx, web);
      DeployEvents events = new DeployEvents(config.hostId(), Clock.systemUTC());
      CycleRunner cycle = new CycleRunner(store, relay, events, health,
          TestHookGate.of(vertx, config.testHooks(), store.directory()));
      reconciler = new Reconciler(vertx, config, store, drivers, cycle, events, relay, metrics, Clock.systemUTC());
      breakers.onRecovery(reconciler::wake);
      RequestHandler handler = new RequestHandler(config, codec, new RequestVerifier(trustedKeys, codec), store.state(),
          reconciler, new DeadLetterSender(vertx, publisher, "agent/" + config.hostId(), 2_000), Clock.systemUTC());
      consumer = new RequestConsumer(vertx, config, handler);
      heartbeats = new Heartbeats(config, store.state(), breakers, publisher, signer::sign);
      poller = new Poller(vertx, config, store.state(), new RegistryClient(web, breakers), reconciler);
      vertx.eventBus().<JsonObject>consumer(STATUS_ADDRESS, msg -> msg.reply(status()));
      return reconciler.recoverAll().compose(v -> inventory(drivers));
    }).compose(v -> {
      relay.kick();
      reconciler.resume();
      return consumer.start();
    }).onSuccess(v -> {
      sendHeartbeat();
      heartbeatTimer = vertx.setPeriodic(config.heartbeatInterval().toMillis(), id -> sendHeartbeat());
      poller.start();
      LOG.info("agent {} ({}, labels {}) manages {} with {}; consuming as {}", config.hostId(), config.environment(),
          config.labels(), config.services().keySet(), flavor == null ? "no compose" : flavor, config.consumerGroup());
    });
  }

  private Driver driver(String name, ServiceConfig sc, Docker docker) {
    if (sc.driver() == DriverKind.GIT) {
      return new GitDriver(sc, runner, config.resilience().stepTimeout());
    }
    if (flavor == null) {
      throw new IllegalStateException("service " + name + " uses compose but neither docker compose nor docker-compose works");
    }
    if (sc.blueGreenStrategy()) {
      return new BlueGreenDriver(vertx, name, sc, flavor, config.dockerCommand(), docker, breakers,
          config.resilience().stepTimeout(), new ProxyAdmin(vertx, web, sc.blueGreen()), new HealthChecker(vertx, web));
    }
    return new ComposeDriver(vertx, name, sc, flavor, config.dockerCommand(), docker, breakers, config.resilience().stepTimeout());
  }

  /** Records what runs for services this agent has never deployed (first start on a host). */
  private Future<Void> inventory(Map<String, Driver> drivers) {
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<String, Driver> e : drivers.entrySet()) {
      var record = store.state().service(e.getKey());
      if (record.current != null) {
        continue;
      }
      chain = chain.compose(v -> e.getValue().inspect().map(running -> {
        if (running.present()) {
          record.current = new dev.stevedore.agent.state.AgentState.Release(running.versionGuess(), running.imageId(),
              running.imageRef(), running.digest());
          LOG.info("{} runs {} ({}) since before this agent", e.getKey(), running.tag() == null ? running.imageId()
              : running.tag(), running.digest());
        }
        return (Void) null;
      }).recover(err -> {
        LOG.warn("cannot inspect {}: {}", e.getKey(), err.getMessage());
        return Future.succeededFuture();
      }));
    }
    return chain.compose(v -> store.save());
  }

  private void sendHeartbeat() {
    heartbeats.send().onFailure(e -> LOG.debug("heartbeat not sent: {}", e.getMessage()));
  }

  private JsonObject status() {
    return new JsonObject(codec.toMap(heartbeats.build()))
        .put("outbox", relay.pending())
        .put("breakers", new JsonObject(new HashMap<>(breakers.states())));
  }

  @Override
  public Future<?> stop() {
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
    }
    if (poller != null) {
      poller.stop();
    }
    if (reconciler != null) {
      reconciler.stop();
    }
    Future<Void> closed = consumer == null ? Future.succeededFuture() : consumer.stop();
    return closed.recover(e -> Future.succeededFuture())
        .compose(v -> idle(System.currentTimeMillis() + 60_000))
        .compose(v -> {
          relay.stop();
          return publisher.close();
        });
  }

  /** Waits (timers) until no deployment runs, so a SIGTERM does not cut one in half. */
  private Future<Void> idle(long deadline) {
    boolean busy = reconciler != null && config.services().keySet().stream().anyMatch(reconciler::busy);
    if (!busy || System.currentTimeMillis() > deadline) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    vertx.setTimer(100, id -> idle(deadline).onComplete(p));
    return p.future();
  }
}
