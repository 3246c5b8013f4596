package dev.stevedore.agent;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.DriverKind;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.deploy.CycleRunner;
import dev.stevedore.agent.deploy.DeployEvents;
import dev.stevedore.agent.deploy.FleetBlocklist;
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
import dev.stevedore.agent.push.PushFiles;
import dev.stevedore.agent.push.PushInbox;
import dev.stevedore.agent.push.PushProgress;
import dev.stevedore.agent.process.CommandRunner;
import dev.stevedore.agent.registry.DockerCredentials;
import dev.stevedore.agent.registry.RegistryClient;
import dev.stevedore.agent.state.AgentKey;
import dev.stevedore.agent.state.HostLock;
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
  /** How long start-up waits for the fleet blocklist before it completes anyway (requests still wait for it). */
  static final long BLOCKLIST_WAIT_MS = 15_000;

  private final AgentConfig config;
  private final List<PublicKey> trustedKeys;
  private final ComposeFlavor flavor;
  private final CommandRunner runner;
  private final WorkerExecutor stateWorker;
  private final MeterRegistry metrics;
  private final Breakers breakers;
  private final EventCodec codec = new EventCodec();
  /** Null: the drivers the services' config names. */
  private final dev.stevedore.agent.driver.DriverFactory driverFactory;

  private EventPublisher publisher;
  private WebClient web;
  private StateStore store;
  private OutboxRelay relay;
  private RequestConsumer consumer;
  private dev.stevedore.agent.kafka.BlocklistFollower blocklist;
  private FleetBlocklist fleet;
  private Poller poller;
  private Reconciler reconciler;
  private Heartbeats heartbeats;
  private AgentSigner signer;
  private long heartbeatTimer = -1;
  private HostLock hostLock;
  private PushInbox inbox;

  public AgentVerticle(AgentConfig config, List<PublicKey> trustedKeys, ComposeFlavor flavor, CommandRunner runner,
      WorkerExecutor stateWorker, MeterRegistry metrics, Breakers breakers) {
    this(config, trustedKeys, flavor, runner, stateWorker, metrics, breakers, null);
  }

  /** @param driverFactory makes each service's driver instead of the config's choice (a fleet simulator); null: the config's */
  public AgentVerticle(AgentConfig config, List<PublicKey> trustedKeys, ComposeFlavor flavor, CommandRunner runner,
      WorkerExecutor stateWorker, MeterRegistry metrics, Breakers breakers,
      dev.stevedore.agent.driver.DriverFactory driverFactory) {
    this.driverFactory = driverFactory;
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
    return lock(System.currentTimeMillis())
        .compose(l -> EventPublisher.create(vertx,
            config.kafka().withClientId(config.kafka().clientId() + "-" + config.hostId()), codec, breakers.kafka()))
        .onSuccess(p -> publisher = p)
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
      relay = new OutboxRelay(vertx, store, publisher::publishEncodedEvent, codec, config.resilience().outboxRetry(),
          signer::sign);
      Docker docker = new Docker(runner, breakers.docker());
      Map<String, Driver> drivers = new HashMap<>();
      config.services().forEach((name, sc) -> drivers.put(name, driverFactory != null ? driverFactory.create(name, sc)
          : driver(vertx, web, config, flavor, runner, breakers, name, sc, docker)));
      HealthChecker health = new HealthChecker(vertx, web);
      DeployEvents events = new DeployEvents(config.hostId(), Clock.systemUTC());
      PushFiles pushFiles = new PushFiles(store.directory());
      // Every event goes to the outbox; those of push deploys also to the push's progress file.
      PushProgress sink = new PushProgress(relay, stateWorker, pushFiles);
      CycleRunner cycle = new CycleRunner(store, sink, events, health,
          TestHookGate.of(vertx, config.testHooks(), store.directory()));
      fleet = new FleetBlocklist(config.environment());
      reconciler = new Reconciler(vertx, config, store, drivers, cycle, events, sink, metrics, Clock.systemUTC(), fleet);
      inbox = new PushInbox(vertx, config, store::state, reconciler, sink, pushFiles, Clock.systemUTC());
      breakers.onRecovery(reconciler::wake);
      RequestVerifier verifier = new RequestVerifier(trustedKeys, codec);
      DeadLetterSender deadLetters = new DeadLetterSender(vertx, publisher, "agent/" + config.hostId(), 2_000);
      blocklist = new dev.stevedore.agent.kafka.BlocklistFollower(vertx, config, codec, verifier, fleet, deadLetters);
      RequestHandler handler = new RequestHandler(config, codec, verifier, store.state(), reconciler, deadLetters,
          Clock.systemUTC(), fleet);
      consumer = new RequestConsumer(vertx, config, handler);
      heartbeats = new Heartbeats(config, store.state(), breakers, publisher, signer::sign);
      poller = new Poller(vertx, config, store.state(), registryClient(), reconciler);
      vertx.eventBus().<JsonObject>consumer(STATUS_ADDRESS, msg -> msg.reply(status()));
      return reconciler.recoverAll().compose(v -> inventory(drivers));
    }).compose(v -> {
      relay.kick();
      // Nothing is admitted or resumed before the fleet blocklist is read: a version blocked
      // fleet-wide while this agent was down must not start here.
      Future<Void> ready = blocklist.start().compose(read -> {
        reconciler.resume();
        inbox.start();
        poller.start();
        return consumer.start();
      });
      return within(ready, BLOCKLIST_WAIT_MS);
    }).onSuccess(v -> {
      sendHeartbeat();
      heartbeatTimer = vertx.setPeriodic(config.heartbeatInterval().toMillis(), id -> sendHeartbeat());
      LOG.info("agent {} ({}, labels {}) manages {} with {}; consuming as {}", config.hostId(), config.environment(),
          config.labels(), config.services().keySet(), flavor == null ? "no compose" : flavor, config.consumerGroup());
    }).onFailure(e -> {
      // a start that failed is not stopped: let go of the host lock here
      if (hostLock != null) {
        hostLock.close();
        hostLock = null;
      }
    });
  }

  /**
   * {@code ready}, or success after {@code ms} while it still runs (Kafka unreachable at start: the
   * agent starts as before and consumes requests once the blocklist has been read).
   */
  private Future<Void> within(Future<Void> ready, long ms) {
    Promise<Void> p = Promise.promise();
    long t = vertx.setTimer(ms, id -> {
      if (p.tryComplete()) {
        LOG.warn("agent {}: the fleet blocklist is not read after {} ms; requests are consumed once it is", config.hostId(), ms);
      }
    });
    ready.onComplete(ar -> {
      vertx.cancelTimer(t);
      if (ar.failed() && !p.tryFail(ar.cause())) {
        LOG.error("agent {}: requests are not consumed: {}", config.hostId(), ar.cause().toString());
      } else if (ar.succeeded()) {
        p.tryComplete();
      }
    });
    return p.future();
  }

  /** Polling's registry client: credentials from Docker's config.json of the agent's user (or registryAuth.dockerConfig). */
  private RegistryClient registryClient() {
    DockerCredentials credentials = new DockerCredentials(vertx,
        DockerCredentials.directory(config.registryAuth().dockerConfig(), System.getenv()), runner,
        config.registryAuth().helperTimeout(), Map.of());
    return new RegistryClient(web, breakers, credentials, Clock.systemUTC());
  }

  /**
   * Takes the host's agent lock ({@link HostLock}): one process runs the cycles on a host. While a
   * one-shot {@code stevedore-agent deploy} (or a second agent on the same state directory) holds
   * it, the agent waits, saying so, until it is free (the start-up timeout bounds that wait).
   */
  private Future<HostLock> lock(long since) {
    Path dir = Path.of(config.stateDirectory());
    return stateWorker.executeBlocking(() -> HostLock.tryAcquire(dir, "agent " + config.hostId()).orElse(null), false)
        .compose(l -> {
          if (l != null) {
            hostLock = l;
            return Future.succeededFuture(l);
          }
          long waited = System.currentTimeMillis() - since;
          if (waited < 1000 || waited % 30_000 < 1000) {
            LOG.warn("another process holds {} ({}): a push deploy runs on this host, or a second agent uses {}; "
                + "waiting for it", dir.resolve(HostLock.FILE), HostLock.holder(dir), dir);
          }
          Promise<HostLock> p = Promise.promise();
          vertx.setTimer(1000, id -> lock(since).onComplete(p));
          return p.future();
        });
  }

  static Driver driver(io.vertx.core.Vertx vertx, WebClient web, AgentConfig config, ComposeFlavor flavor,
      CommandRunner runner, Breakers breakers, String name, ServiceConfig sc, Docker docker) {
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

  private Future<Void> inventory(Map<String, Driver> drivers) {
    return inventory(store, drivers);
  }

  /** Records what runs for services this agent has never deployed (first start on a host). */
  static Future<Void> inventory(StateStore store, Map<String, Driver> drivers) {
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
        .put("fleetBlocklistRead", blocklist.caughtUp())
        .put("fleetBlocks", new io.vertx.core.json.JsonArray(fleet.keys()))
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
    if (inbox != null) {
      inbox.stop();
    }
    if (reconciler != null) {
      reconciler.stop();
    }
    Future<Void> closed = (consumer == null ? Future.<Void>succeededFuture() : consumer.stop())
        .recover(e -> Future.succeededFuture())
        .compose(v -> blocklist == null ? Future.<Void>succeededFuture() : blocklist.stop());
    return closed.recover(e -> Future.succeededFuture())
        .compose(v -> idle(System.currentTimeMillis() + 60_000))
        .compose(v -> {
          if (relay != null) {
            relay.stop();
          }
          return publisher == null ? Future.<Void>succeededFuture() : publisher.close();
        })
        .andThen(ar -> {
          if (hostLock != null) {
            hostLock.close();
          }
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
