package dev.stevedore.trigger;

import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.kafka.EventPublisher;
import dev.stevedore.common.kafka.KafkaOptions;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.kafka.PartitionOwnership;
import dev.stevedore.common.kafka.TopicAdmin;
import dev.stevedore.common.ops.OpsRoutes;
import dev.stevedore.common.runtime.ConnectionLimits;
import dev.stevedore.common.runtime.HttpServerVerticle;
import dev.stevedore.common.runtime.KafkaClients;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.RequestVerifier;
import dev.stevedore.trigger.core.Cancellations;
import dev.stevedore.trigger.core.KafkaRequestSink;
import dev.stevedore.trigger.core.ManualDeployments;
import dev.stevedore.trigger.core.RecentIds;
import dev.stevedore.trigger.core.RequestFactory;
import dev.stevedore.trigger.core.SigningKeys;
import dev.stevedore.trigger.core.Submitter;
import dev.stevedore.trigger.core.Unblocks;
import dev.stevedore.trigger.core.TriggerMetrics;
import dev.stevedore.trigger.history.DeploymentHistory;
import dev.stevedore.trigger.history.HistoryFeed;
import dev.stevedore.trigger.history.HistoryVerticle;
import dev.stevedore.trigger.history.ReadBack;
import dev.stevedore.trigger.history.SignedHere;
import dev.stevedore.trigger.hooks.BranchRules;
import dev.stevedore.trigger.hooks.GenericHooks;
import dev.stevedore.trigger.hooks.GitHubHooks;
import dev.stevedore.trigger.hooks.GitLabHooks;
import dev.stevedore.trigger.hooks.WebhookParsers;
import dev.stevedore.trigger.http.TriggerRoutes;
import dev.stevedore.trigger.schedule.KafkaScheduleLog;
import dev.stevedore.trigger.schedule.ScheduleRecords;
import dev.stevedore.trigger.schedule.ScheduleTimer;
import dev.stevedore.common.event.RolloutState;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.event.VersionBlocked;
import dev.stevedore.common.security.EventVerifier;
import dev.stevedore.trigger.rollout.Blocklist;
import dev.stevedore.trigger.rollout.DeployWindows;
import dev.stevedore.trigger.rollout.FleetFeed;
import dev.stevedore.trigger.rollout.KafkaRolloutOutbox;
import dev.stevedore.trigger.rollout.Membership;
import dev.stevedore.trigger.rollout.RolloutApi;
import dev.stevedore.trigger.rollout.RolloutCoordinator;
import dev.stevedore.trigger.rollout.RolloutMachine;
import dev.stevedore.trigger.rollout.RolloutPolicies;
import dev.stevedore.trigger.rollout.RolloutSettings;
import dev.stevedore.trigger.rollout.RolloutSink;
import dev.stevedore.trigger.rollout.RolloutVerticle;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.kafka.admin.KafkaAdminClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the trigger service: keys, Kafka publisher and circuit breaker, hooks, API, schedules,
 * history, and the HTTP verticles. {@link #start} is the programmatic entry point for tests and
 * launchers; it never calls System.exit.
 */
public final class TriggerService {
  private static final Logger LOG = LoggerFactory.getLogger(TriggerService.class);
  /** Published requests remembered until the history reads them back: some seconds of a burst (about 1 kB each). */
  private static final int SIGNED_HERE_CAPACITY = 16_384;
  private TriggerService() {}

  public static Future<RunningTrigger> start(Vertx vertx, TriggerConfig config) {
    return vertx.executeBlocking(() -> keys(config))
        .compose(keys -> clients(vertx, config, keys))
        .compose(clients -> wire(vertx, clients));
  }

  private static KeyPair keys(TriggerConfig config) throws java.io.IOException {
    KeyPair keys = SigningKeys.load(config.signing());
    String pem = Ed25519Keys.toPem(keys.getPublic());
    if (config.signing().privateKey() == null) {
      LOG.warn("signing with an EPHEMERAL key (signing.generateEphemeralKey): agents must trust this public key, "
          + "key id {}:\n{}", Ed25519Keys.keyId(keys.getPublic()), pem);
    } else {
      LOG.info("signing with key id {}", Ed25519Keys.keyId(keys.getPublic()));
    }
    if (config.signing().publicKeyOut() != null) {
      Path out = Path.of(config.signing().publicKeyOut());
      if (out.getParent() != null) {
        Files.createDirectories(out.getParent());
      }
      Files.writeString(out, pem, StandardCharsets.US_ASCII);
      LOG.info("public key written to {}", out);
    }
    return keys;
  }

  /** What start-up makes off the event loop: keys, and Kafka clients (their constructors block). */
  private record Clients(TriggerConfig config, KeyPair keys, KafkaSettings kafka, WebhookParsers parsers,
      EventCodec codec, CircuitBreaker breaker, EventPublisher publisher, KafkaAdminClient admin) {}

  private static Future<Clients> clients(Vertx vertx, TriggerConfig config, KeyPair keys) {
    WebhookParsers parsers;
    try {
      parsers = parsers(config); // validates the branch rules before anything is opened
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    KafkaSettings kafka = config.kafka().withClientId(config.kafka().clientId() + "-" + config.instanceId());
    EventCodec codec = new EventCodec();
    CircuitBreaker breaker = EventPublisher.defaultBreaker("kafka");
    breaker.getEventPublisher().onStateTransition(e ->
        LOG.warn("Kafka circuit breaker: {}", e.getStateTransition()));
    return EventPublisher.create(vertx, kafka, codec, breaker).compose(publisher ->
        KafkaClients.admin(vertx, KafkaOptions.admin(kafka))
            .recover(e -> publisher.close().transform(x -> Future.failedFuture(e)))
            .map(admin -> new Clients(config, keys, kafka, parsers, codec, breaker, publisher, admin)));
  }

  private static Future<RunningTrigger> wire(Vertx vertx, Clients clients) {
    TriggerConfig config = clients.config();
    PrometheusMeterRegistry registry = dev.stevedore.common.ops.ServiceMetrics.create("trigger");
    TriggerMetrics metrics = new TriggerMetrics(registry, clients.breaker());
    Clock clock = Clock.systemUTC();

    Optional<DeploymentHistory> history = config.history().enabled()
        ? Optional.of(new DeploymentHistory(config.history().perService(), config.limits().recentDeployments()))
        : Optional.empty();
    RequestFactory factory = new RequestFactory(new RequestSigner(clients.keys(), clients.codec()),
        config.instanceId(), clock);
    RolloutSettings rolloutSettings = config.rollouts();
    RequestSigner signer = new RequestSigner(clients.keys(), clients.codec());
    RequestVerifier ownKeys = new RequestVerifier(List.of(clients.keys().getPublic()), clients.codec());
    Blocklist blocklist = new Blocklist();
    RolloutMachine machine = new RolloutMachine(config.instanceId());
    EventPublisher publisher = clients.publisher();
    Membership membership = new Membership();
    DeployWindows windows = new DeployWindows(rolloutSettings.windows());
    EventVerifier agentKeys = config.agents().verifier(clients.codec());
    RolloutVerticle rollouts = new RolloutVerticle(clients.kafka(), rolloutSettings, clients.codec(),
        owns -> new RolloutCoordinator(machine, membership, signer, ownKeys, new KafkaRolloutOutbox(publisher, metrics), owns,
            Duration.ofSeconds(rolloutSettings.heartbeatDeadlineSeconds()), config.instanceId(), clock, windows));
    // Requests signed here are not verified again when the history reads them back (issue #14).
    SignedHere signedHere = new SignedHere(SIGNED_HERE_CAPACITY);
    RolloutSink sink = new RolloutSink(new KafkaRequestSink(publisher, history.isPresent() ? signedHere::remember
        : r -> { }), blocklist,
        new RolloutPolicies(rolloutSettings), machine,
        state -> {
          RolloutState signed = signer.sign(state);
          // read-your-writes: this instance knows the rollout before its own record comes back from the topic
          return publisher.publish(Topics.ROLLOUT_STATE, signed.partitionKey(), signed)
              .onSuccess(m -> rollouts.tell(c -> c.recorded(signed))).mapEmpty();
        },
        rolloutSettings.enabled(), clock, windows);
    // A retry of a request whose publish timed out waits until the history has read the topic (issue #19).
    ReadBack readBack = history.isPresent() ? new ReadBack(vertx, ReadBack.endOffsets(clients.admin()), 50) : null;
    Submitter submitter = new Submitter(factory, sink,
        new RecentIds(config.limits().recentDeployments()), metrics, config.limits().publishTimeoutMs(),
        history.<Predicate<String>>map(h -> h::knows).orElse(id -> false), readBack == null ? null : readBack::caughtUp);
    GenericHooks generic = new GenericHooks(config.generic(), config.limits().replayWindowSeconds(), clock);
    // The timer starts before the API, which needs its ScheduleService. Schedules live on the
    // schedule topic; the schedule group's assignment says which instance fires which.
    KafkaScheduleLog scheduleLog = new KafkaScheduleLog(clients.kafka(), new PartitionOwnership.Settings(
        Topics.SCHEDULES, Topics.SCHEDULES_GROUP, config.schedules().sessionTimeoutMs(),
        config.schedules().heartbeatIntervalMs(), ScheduleRecords.MAX_BYTES), clients.publisher());
    ScheduleTimer timer = new ScheduleTimer(scheduleLog, new ScheduleRecords(clients.keys()),
        Path.of(config.schedules().dataDir()), config.schedules().tickMs(), config.schedules().maxPending(),
        s -> submitter.submit(List.of(ManualDeployments.intentOf(s))), clock, config.instanceId());
    OpsRoutes ops = new OpsRoutes(List.of(
        new OpsRoutes.Check("kafka", () -> kafkaReachable(clients.admin(), clients.breaker())),
        new OpsRoutes.Check("schedules", () -> timer.ready() ? Future.succeededFuture()
            : Future.failedFuture("the schedule topic has not been read to its end yet"))), registry);

    Future<Void> topicsCreated = Future.succeededFuture();
    if (config.topics().create()) {
      topicsCreated = vertx.executeBlocking(() -> TopicAdmin.ensureTopics(vertx, clients.kafka(),
              config.topics().partitions(), (short) config.topics().replication())).compose(f -> f)
          .onFailure(e -> LOG.warn("could not check or create the topics: {}", e.toString()))
          .<Void>mapEmpty().recover(e -> Future.succeededFuture());
    }

    Deployments deployed = new Deployments(vertx);
    // The first delivery after a start must not pay for one-time work (issue #12's flood benchmark:
    // 1.2-4.7 s for the first deliveries of a fresh trigger, with or without a flood): done before
    // the webhook port listens.
    Future<WebhookWarmUp.Result> warm = warmUp(vertx, clients, clock, topicsCreated);
    // One reader of the topics every instance needs whole: the history, and what the coordinator hears.
    Consumer<StevedoreEvent> historyFeed = history.<Consumer<StevedoreEvent>>map(h ->
        new HistoryFeed(h, ownKeys, agentKeys, signedHere)).orElse(e -> { });
    Consumer<StevedoreEvent> fleetFeed = new FleetFeed(agentKeys, ownKeys, blocklist,
        e -> rollouts.tell(c -> c.heard(e)));
    Map<String, Consumer<StevedoreEvent>> feeds = new HashMap<>();
    feeds.put(Topics.REQUESTS, historyFeed);
    feeds.put(Topics.EVENTS, history.isEmpty() && !rolloutSettings.enabled() ? historyFeed
        : historyFeed.andThen(fleetFeed));
    feeds.put(Topics.FLEET_BLOCKLIST, fleetFeed);
    if (rolloutSettings.enabled()) {
      feeds.put(Topics.HEARTBEATS, fleetFeed);
    }
    Future<?> coordinatorStarted = rolloutSettings.enabled() ? deployed.add(rollouts) : Future.succeededFuture();
    return coordinatorStarted
        .compose(v -> deployed.add(new HistoryVerticle(clients.kafka(), config.instanceId(), feeds, clients.codec(),
            (topic, key) -> {
              if (Topics.FLEET_BLOCKLIST.equals(topic) && key != null) {
                blocklist.lifted(key);
              }
            }, readBack)))
        .compose(v -> warm)
        .compose(w -> {
          warmUpMeters(registry, w);
          if (readBack != null) {
            Gauge.builder("stevedore.trigger.history.lag", readBack, ReadBack::lag).strongReference(true)
                .description("records of the requests topic this instance's history has not read yet (every 5 s)")
                .register(registry);
          }
          return deployed.add(timer);
        })
        .compose(v -> {
          scheduleMeters(registry, timer, scheduleLog);
          Unblocks unblocks = new Unblocks(new RequestSigner(clients.keys(), clients.codec())::sign,
              u -> clients.publisher().publish(Topics.REQUESTS, u.partitionKey(), u)
                  // lifting it everywhere also lifts the fleet-wide block (the compacted blocklist's key)
                  .compose(m -> u.target().hosts().isEmpty() ? clients.publisher().publish(Topics.FLEET_BLOCKLIST,
                      VersionBlocked.blocklistKey(u.environment(), u.service(), u.version()), u).mapEmpty()
                      : Future.succeededFuture()).mapEmpty(), config.instanceId(),
              clock, config.limits().publishTimeoutMs());
          // Cancellations are signed with the request-signing key: agents honour no others.
          Cancellations cancellations = new Cancellations(new RequestSigner(clients.keys(), clients.codec())::sign,
              c -> clients.publisher().publish(Topics.REQUESTS, c.partitionKey(), c).mapEmpty(), config.instanceId(),
              clock, config.limits().publishTimeoutMs());
          ManualDeployments deployments = new ManualDeployments(submitter, timer.service(), history, clock,
              Optional.of(unblocks), Optional.of(cancellations));
          RolloutApi rolloutApi = new RolloutApi(rolloutSettings.enabled() ? Optional.of(rollouts) : Optional.empty(),
              history, vertx, clock);
          TriggerRoutes routes = new TriggerRoutes(config, generic, clients.parsers(), submitter, deployments,
              timer.service(), metrics, clients.breaker(), clock, rolloutApi);
          // Readiness details and metrics only on the management port (loopback by default).
          HttpServerVerticle.Routes all = (vx, router) -> {
            ops.mountLive(router);
            routes.accept(router);
          };
          ConnectionLimits limits = new ConnectionLimits(config.http().maxConnections(),
              config.http().requestTimeoutMs());
          HttpServerVerticle first = new HttpServerVerticle(httpOptions(config, config.http().port()), all, e -> null,
              limits);
          return deployed.add(first).compose(x -> {
            int port = first.port();
            Future<?> more = Future.succeededFuture();
            for (int i = 1; i < config.http().instances(); i++) {
              more = more.compose(y -> deployed.add(new HttpServerVerticle(httpOptions(config, port), all, e -> null,
                  limits)));
            }
            return more.map(y -> port);
          });
        })
        .compose(port -> {
          HttpServerVerticle management = new HttpServerVerticle(HttpServerVerticle.publicApi(config.http().opsHost(),
              config.http().opsPort()), (vx, router) -> ops.mount(router), e -> null);
          return deployed.add(management).map(x -> new int[] {port, management.port()});
        })
        .map(ports -> {
          LOG.info("trigger {} listening on port {} ({} generic hooks), management on {}:{}; warmed up with {} "
              + "webhooks in {} ms", config.instanceId(), ports[0], config.generic().size(), config.http().opsHost(),
              ports[1], warm.result().requests(), warm.result().millis()); // warm ended before the ports opened
          return new RunningTrigger(ports[0], ports[1], clients.keys().getPublic(), () -> stop(deployed, clients));
        })
        .recover(e -> stop(deployed, clients).transform(ignored -> Future.failedFuture(e)));
  }

  /**
   * One-time work of the first deliveries, done at start: the webhook path through its own HTTP
   * server over loopback ({@link WebhookWarmUp}, within {@code warmUp}'s budget), then the
   * producer's metadata of the requests topic (once the topics exist, waiting at most the publish
   * timeout for them). Never fails the start: a broker that does not answer within the publish
   * timeout only leaves the first send to fetch it.
   */
  private static Future<WebhookWarmUp.Result> warmUp(Vertx vertx, Clients clients, Clock clock, Future<Void> topics) {
    long t0 = System.nanoTime();
    Future<WebhookWarmUp.Result> local = new WebhookWarmUp(vertx, clients.config(), clients.codec(), clock).run();
    // Bounded: an unreachable broker delays the start by at most the publish timeout (twice).
    long bound = clients.config().limits().publishTimeoutMs();
    return local.compose(r -> topics.timeout(bound, java.util.concurrent.TimeUnit.MILLISECONDS)
        .compose(v -> clients.publisher().prepare(Topics.REQUESTS))
        .onSuccess(n -> LOG.info("warmed up in {} ms ({} partitions of {})", (System.nanoTime() - t0) / 1_000_000, n,
            Topics.REQUESTS))
        .onFailure(e -> LOG.info("warm-up incomplete after {} ms: {}", (System.nanoTime() - t0) / 1_000_000,
            e.toString()))
        .map(r).recover(e -> Future.succeededFuture(r)));
  }

  /**
   * {@code stevedore_trigger_warmup_seconds} (how long the start-up warm-up took) and {@code
   * stevedore_trigger_warmup_requests} (how many webhooks it sent over loopback).
   */
  private static void warmUpMeters(PrometheusMeterRegistry registry, WebhookWarmUp.Result warm) {
    // strongReference: a gauge holds its object weakly, and nothing else keeps the result (read NaN after a GC)
    Gauge.builder("stevedore.trigger.warmup.seconds", warm, w -> w.millis() / 1000.0).strongReference(true)
        .description("how long the start-up warm-up of the webhook path took").register(registry);
    Gauge.builder("stevedore.trigger.warmup.requests", warm, w -> (double) w.requests()).strongReference(true)
        .description("webhooks the start-up warm-up sent over loopback (never published)").register(registry);
  }

  /**
   * {@code stevedore_trigger_schedule_records_rejected_total} (schedule-topic records not taken:
   * malformed, oversized, unsigned, forged), {@code stevedore_trigger_schedules_fired_total} (fired
   * by this instance) and {@code stevedore_trigger_schedule_partitions_owned} (how many schedule
   * partitions this instance fires).
   */
  private static void scheduleMeters(PrometheusMeterRegistry registry, ScheduleTimer timer, KafkaScheduleLog log) {
    FunctionCounter.builder("stevedore.trigger.schedule.records.rejected", timer,
        t -> t.service().rejectedRecords()).description("schedule records refused (unsigned, malformed, unknown)")
        .register(registry);
    FunctionCounter.builder("stevedore.trigger.schedules.fired", timer, t -> t.service().firedHere())
        .description("scheduled deployments fired by this instance").register(registry);
    Gauge.builder("stevedore.trigger.schedule.partitions.owned", log, l -> l.owned().size())
        .description("schedule partitions this instance fires").register(registry);
  }

  /**
   * The shared limits, and a connection that sends nothing for 60 s is closed; the connection cap and
   * the deadline for a request to arrive in full are {@link ConnectionLimits}.
   */
  private static HttpServerOptions httpOptions(TriggerConfig config, int port) {
    return HttpServerVerticle.publicApi(config.http().host(), port).setIdleTimeout(60);
  }

  private static WebhookParsers parsers(TriggerConfig config) {
    BranchRules rules = new BranchRules(config.repositories());
    return new WebhookParsers(
        config.github().secret() == null ? null : new GitHubHooks(config.github().secret(), rules, config.github().workflows()),
        config.gitlab().token() == null ? null : new GitLabHooks(config.gitlab().token(), rules));
  }

  /** Ready while a metadata round trip to the cluster succeeds and the circuit is not open. */
  private static Future<?> kafkaReachable(KafkaAdminClient admin, CircuitBreaker breaker) {
    if (breaker.getState() == CircuitBreaker.State.OPEN) {
      return Future.failedFuture("circuit open");
    }
    return admin.describeCluster().timeout(2, TimeUnit.SECONDS)
        .compose(d -> d.getNodes().isEmpty() ? Future.failedFuture("no brokers") : Future.succeededFuture(d));
  }

  /** The verticles deployed so far, undeployed in reverse order. */
  private static final class Deployments {
    private final Vertx vertx;
    private final List<String> ids = new ArrayList<>();

    Deployments(Vertx vertx) {
      this.vertx = vertx;
    }

    Future<String> add(Deployable verticle) {
      return vertx.deployVerticle(verticle).onSuccess(ids::add);
    }

    Future<Void> undeployAll() {
      Future<Void> undeployed = Future.succeededFuture();
      for (int i = ids.size() - 1; i >= 0; i--) {
        String id = ids.get(i);
        undeployed = undeployed.compose(v -> vertx.undeploy(id).recover(e -> Future.succeededFuture()));
      }
      return undeployed;
    }
  }

  /** HTTP first (no new requests), then the timer and the history consumer, then the Kafka clients. */
  private static Future<Void> stop(Deployments deployed, Clients clients) {
    return deployed.undeployAll()
        .compose(v -> clients.publisher().close().recover(e -> Future.succeededFuture()))
        .compose(v -> clients.admin().close().recover(e -> Future.succeededFuture()));
  }
}
