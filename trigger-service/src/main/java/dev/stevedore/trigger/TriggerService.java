package dev.stevedore.trigger;

import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.kafka.EventPublisher;
import dev.stevedore.common.kafka.KafkaOptions;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.kafka.TopicAdmin;
import dev.stevedore.common.ops.OpsRoutes;
import dev.stevedore.common.runtime.KafkaClients;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.trigger.core.KafkaRequestSink;
import dev.stevedore.trigger.core.RecentIds;
import dev.stevedore.trigger.core.RequestFactory;
import dev.stevedore.trigger.core.SigningKeys;
import dev.stevedore.trigger.core.Submitter;
import dev.stevedore.trigger.core.TriggerMetrics;
import dev.stevedore.trigger.hooks.BranchRules;
import dev.stevedore.trigger.hooks.GenericHooks;
import dev.stevedore.trigger.hooks.GitHubHooks;
import dev.stevedore.trigger.hooks.GitLabHooks;
import dev.stevedore.trigger.history.DeploymentHistory;
import dev.stevedore.trigger.history.HistoryVerticle;
import dev.stevedore.trigger.http.ApiRoutes;
import dev.stevedore.trigger.http.HookRoutes;
import dev.stevedore.trigger.schedule.Scheduler;
import dev.stevedore.trigger.http.HttpVerticle;
import dev.stevedore.trigger.http.RateLimits;
import dev.stevedore.trigger.http.WebhookParsers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the trigger service: keys, Kafka publisher and circuit breaker, hooks, API, schedules,
 * history, and the HTTP verticles. {@link #start} is the programmatic entry point for tests and
 * launchers; it never calls System.exit.
 */
public final class TriggerService {
  private static final Logger LOG = LoggerFactory.getLogger(TriggerService.class);

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
    KeyPair keys = clients.keys();
    WebhookParsers parsers = clients.parsers();
    KafkaSettings kafka = clients.kafka();
    EventCodec codec = clients.codec();
    CircuitBreaker breaker = clients.breaker();
    EventPublisher publisher = clients.publisher();
    KafkaAdminClient admin = clients.admin();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TriggerMetrics metrics = new TriggerMetrics(registry, breaker);
    Clock clock = Clock.systemUTC();

    DeploymentHistory history = config.history().enabled()
        ? new DeploymentHistory(config.history().perService(), config.limits().recentDeployments()) : null;
    RequestFactory factory = new RequestFactory(new RequestSigner(keys, codec), config.instanceId(), clock);
    Submitter submitter = new Submitter(vertx, factory, new KafkaRequestSink(publisher),
        new RecentIds(config.limits().recentDeployments()), metrics, config.limits().publishTimeoutMs(),
        history == null ? id -> false : history::knows);
    GenericHooks generic = new GenericHooks(config.generic(), config.limits().replayWindowSeconds(), clock);
    RateLimits rateLimits = new RateLimits(config.limits().ratePerSecond());
    HookRoutes hooks = new HookRoutes(generic, parsers, submitter, rateLimits, metrics,
        breaker, config.limits().bodyLimitBytes(), config.limits().retryAfterSeconds());
    OpsRoutes ops = new OpsRoutes(List.of(new OpsRoutes.Check("kafka", () -> kafkaReachable(vertx, admin, breaker))),
        registry);
    Scheduler scheduler = new Scheduler(Path.of(config.schedules().dataDir()), config.schedules().tickMs(),
        config.schedules().maxPending(), submitter, clock);
    ApiRoutes api = new ApiRoutes(config.api().tokens(), submitter, scheduler, history, rateLimits, metrics, breaker,
        clock, config.limits().bodyLimitBytes(), config.limits().retryAfterSeconds());
    List<Consumer<io.vertx.ext.web.Router>> routes = new ArrayList<>();
    routes.add(hooks::mount);
    routes.add(api::mount);

    if (config.topics().create()) {
      vertx.executeBlocking(() -> TopicAdmin.ensureTopics(vertx, kafka, config.topics().partitions(),
              (short) config.topics().replication())).compose(f -> f)
          .onFailure(e -> LOG.warn("could not check or create the topics: {}", e.toString()));
    }

    List<String> deployments = new ArrayList<>();
    HttpVerticle first = new HttpVerticle(config.http().host(), config.http().port(), ops, routes);
    Future<String> before = history == null ? Future.succeededFuture("")
        : vertx.deployVerticle(new HistoryVerticle(kafka, config.instanceId(), history, codec));
    return before
        .compose(id -> {
          if (!id.isEmpty()) {
            deployments.add(id);
          }
          return vertx.deployVerticle(scheduler);
        })
        .compose(id -> {
          deployments.add(id);
          return vertx.deployVerticle(first);
        })
        .compose(id -> {
          deployments.add(id);
          int port = first.actualPort();
          Future<Void> more = Future.succeededFuture();
          for (int i = 1; i < config.http().instances(); i++) {
            more = more.compose(v -> vertx.deployVerticle(new HttpVerticle(config.http().host(), port, ops, routes))
                .map(d -> {
                  deployments.add(d);
                  return null;
                }));
          }
          return more.map(v -> port);
        })
        .map(port -> {
          LOG.info("trigger {} listening on port {} ({} generic hooks)", config.instanceId(), port,
              config.generic().size());
          return new RunningTrigger(port, keys.getPublic(), () -> stop(vertx, deployments, publisher, admin));
        })
        .recover(e -> stop(vertx, deployments, publisher, admin).transform(ignored -> Future.failedFuture(e)));
  }

  private static WebhookParsers parsers(TriggerConfig config) {
    BranchRules rules = new BranchRules(config.repositories());
    return new WebhookParsers(
        config.github().secret() == null ? null : new GitHubHooks(config.github().secret(), rules),
        config.gitlab().token() == null ? null : new GitLabHooks(config.gitlab().token(), rules));
  }

  /** Ready while a metadata round trip to the cluster succeeds and the circuit is not open. */
  private static Future<?> kafkaReachable(Vertx vertx, KafkaAdminClient admin, CircuitBreaker breaker) {
    if (breaker.getState() == CircuitBreaker.State.OPEN) {
      return Future.failedFuture("circuit open");
    }
    return admin.describeCluster().timeout(2, TimeUnit.SECONDS)
        .compose(d -> d.getNodes().isEmpty() ? Future.failedFuture("no brokers") : Future.succeededFuture(d));
  }

  private static Future<Void> stop(Vertx vertx, List<String> deployments, EventPublisher publisher,
      KafkaAdminClient admin) {
    Future<Void> undeployed = Future.succeededFuture();
    List<String> reversed = new ArrayList<>(deployments);
    java.util.Collections.reverse(reversed);
    for (String id : reversed) {
      undeployed = undeployed.compose(v -> vertx.undeploy(id).recover(e -> Future.succeededFuture()));
    }
    return undeployed
        .compose(v -> publisher.close().recover(e -> Future.succeededFuture()))
        .compose(v -> admin.close().recover(e -> Future.succeededFuture()));
  }

}
