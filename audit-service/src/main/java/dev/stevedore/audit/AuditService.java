package dev.stevedore.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.audit.api.ApiRoutes;
import dev.stevedore.audit.api.QueryHandlers;
import dev.stevedore.audit.dashboard.DashboardRoutes;
import dev.stevedore.audit.dashboard.LiveFeed;
import dev.stevedore.audit.dashboard.Sessions;
import dev.stevedore.audit.ingest.IngestMetrics;
import dev.stevedore.audit.ingest.IngestVerticle;
import dev.stevedore.audit.ingest.RecordDecoder;
import dev.stevedore.audit.store.AuditStore;
import dev.stevedore.audit.store.Database;
import dev.stevedore.audit.store.Refusals;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.kafka.EventPublisher;
import dev.stevedore.common.kafka.TopicAdmin;
import dev.stevedore.common.ops.OpsRoutes;
import dev.stevedore.common.runtime.BearerGuard;
import dev.stevedore.common.runtime.HttpServerVerticle;
import dev.stevedore.common.runtime.JsonMappers;
import dev.stevedore.common.runtime.RunningService;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import dev.stevedore.common.ops.ServiceMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the audit service: database (migrated), dead-letter publisher, the ingest verticle and the
 * API verticle, deployed in sequence. No System.exit: tests and launchers call {@link #start}.
 */
public final class AuditService {
  private static final Logger LOG = LoggerFactory.getLogger(AuditService.class);

  private AuditService() {}

  /** The running service: its HTTP port, its metrics and a clean stop. */
  public interface RunningAudit extends RunningService {
    PrometheusMeterRegistry registry();

    IngestMetrics ingestMetrics();
  }

  public static Future<RunningAudit> start(Vertx vertx, AuditConfig config) {
    Map<String, String> tokens = new LinkedHashMap<>();
    config.auth().allReaderTokens().forEach(t -> tokens.put(t, "reader"));
    if (tokens.isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException(
          "no reader token configured: set auth.readerToken (STEVEDORE_AUTH_READER_TOKEN or _FILE)"));
    }
    EventCodec codec = new EventCodec();
    Clock clock = Clock.systemUTC();
    PrometheusMeterRegistry registry = ServiceMetrics.create("audit");
    IngestMetrics metrics = new IngestMetrics(registry);
    CircuitBreaker dbBreaker = databaseBreaker(config.database());
    CircuitBreaker deadLetterBreaker = EventPublisher.defaultBreaker("kafka-dead-letters");
    ServiceMetrics.bindBreakers(registry, List.of(dbBreaker, deadLetterBreaker));
    // TopicAdmin makes an admin client, whose constructor blocks: on a worker.
    Future<Void> topics = config.ingest().createTopics()
        ? vertx.executeBlocking(() -> TopicAdmin.ensureTopics(vertx, config.kafka(), config.ingest().topicPartitions(),
            TopicAdmin.AUTO_REPLICATION)).compose(created -> created)
        : Future.succeededFuture();
    LOG.info("starting audit service: {}, group {}", config.database(), config.ingest().groupId());
    return topics.compose(v -> Database.open(vertx, config.database())).compose(db ->
        EventPublisher.create(vertx, config.kafka(), codec, deadLetterBreaker)
            .recover(e -> closeOnWorker(vertx, db).transform(x -> Future.failedFuture(e)))
            .compose(publisher -> wire(vertx, config, db, publisher, codec, clock, registry, metrics, dbBreaker,
                BearerGuard.of(tokens))));
  }

  private static dev.stevedore.common.security.EventVerifier verifier(AuditConfig config, EventCodec codec) {
    var verifier = config.agents().verifier(codec);
    if (verifier.enabled()) {
      LOG.info("agent events are verified against {} trusted agent key(s)", config.agents().trusted().size());
    } else {
      LOG.warn("no trusted agent keys (agents.trusted): agent events are stored without checking who signed them");
    }
    return verifier;
  }

  private static dev.stevedore.common.security.RequestVerifier triggerVerifier(AuditConfig config, EventCodec codec) {
    var verifier = config.trigger().verifier(codec);
    if (verifier != null) {
      LOG.info("requests, cancellations and unblocks are verified against {} trusted trigger key(s)",
          config.trigger().trustedKeys().size());
    } else {
      LOG.warn("no trusted trigger keys (trigger.trustedKeys): requests and cancellations are stored without "
          + "checking who signed them");
    }
    return verifier;
  }

  private static Future<RunningAudit> wire(Vertx vertx, AuditConfig config, Database db, EventPublisher publisher,
      EventCodec codec, Clock clock, PrometheusMeterRegistry registry, IngestMetrics metrics, CircuitBreaker dbBreaker,
      BearerGuard<String> auth) {
    ObjectMapper json = codec.mapper();
    AuditStore store = new AuditStore(db, json, clock);
    IngestVerticle ingest = new IngestVerticle(config.ingest(), config.kafka(), store, publisher,
        new RecordDecoder(codec, verifier(config, codec), triggerVerifier(config, codec)), dbBreaker, metrics);
    OpsRoutes ops = new OpsRoutes(List.of(
        new OpsRoutes.Check("database", () -> store.ping().timeout(5, TimeUnit.SECONDS)),
        new OpsRoutes.Check("consumer", () -> ingest.assigned().compose(a -> a ? Future.succeededFuture()
            : Future.failedFuture("no partition assigned yet")))), registry);
    ObjectMapper apiJson = JsonMappers.responses();
    QueryHandlers handlers = new QueryHandlers(store, config.api(), apiJson, clock);
    DashboardRoutes dashboard = new DashboardRoutes(new Sessions(clock, Duration.ofHours(8), 10_000), auth, handlers,
        new LiveFeed(vertx, store, apiJson, 200));
    HttpServerVerticle api = new HttpServerVerticle(
        HttpServerVerticle.publicApi(config.http().host(), config.http().port()),
        new ApiRoutes(handlers, auth, ops, registry, dashboard), ApiRoutes::classify);
    return vertx.deployVerticle(ingest)
        .compose(ingestId -> vertx.deployVerticle(api)
            .map(apiId -> {
              LOG.info("audit API listening on {}:{}", config.http().host(), api.port());
              return (RunningAudit) new Running(vertx, api, ingestId, apiId, db, publisher, registry, metrics);
            })
            .recover(e -> vertx.undeploy(ingestId).transform(x -> Future.failedFuture(e))))
        .recover(e -> publisher.close().transform(x -> closeOnWorker(vertx, db))
            .transform(x -> Future.failedFuture(e)));
  }

  /** Closing a JDBC pool blocks (it closes its connections): on a worker, never on the loop. */
  private static Future<Void> closeOnWorker(Vertx vertx, Database db) {
    return vertx.executeBlocking(() -> {
      db.close();
      return null;
    });
  }

  static CircuitBreaker databaseBreaker(AuditConfig.Database config) {
    return CircuitBreaker.of("database", CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(4)
        .minimumNumberOfCalls(2)
        .failureRateThreshold(50)
        .waitDurationInOpenState(Duration.ofMillis(config.breakerOpenMs()))
        .permittedNumberOfCallsInHalfOpenState(1)
        // A refused batch (the database answered) is handled event by event, not as an outage.
        .ignoreException(Refusals::isRefusal)
        .build());
  }

  private record Running(Vertx vertx, HttpServerVerticle api, String ingestId, String apiId, Database db,
                         EventPublisher publisher, PrometheusMeterRegistry registry, IngestMetrics ingestMetrics)
      implements RunningAudit {
    @Override
    public int port() {
      return api.port();
    }

    /**
     * Stops in order (API, consumer, dead-letter producer, pool); each step is bounded, so an
     * unreachable broker or database cannot hold the shutdown.
     */
    @Override
    public Future<Void> stop() {
      return bounded(vertx.undeploy(apiId), "API")
          .compose(v -> bounded(vertx.undeploy(ingestId), "consumer"))
          .compose(v -> bounded(publisher.close(), "dead-letter producer"))
          .compose(v -> bounded(closeOnWorker(vertx, db), "database pool"));
    }

    private Future<Void> bounded(Future<?> step, String what) {
      return step.timeout(5, TimeUnit.SECONDS).<Void>mapEmpty().recover(e -> {
        LOG.warn("stopping the {} failed or took longer than 5 s ({}); going on with the shutdown", what, e.toString());
        return Future.succeededFuture();
      });
    }
  }
}
