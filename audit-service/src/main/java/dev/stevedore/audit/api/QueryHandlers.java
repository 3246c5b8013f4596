package dev.stevedore.audit.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.dora.Dora;
import dev.stevedore.audit.store.AuditStore;
import dev.stevedore.audit.store.DeploymentFilter;
import dev.stevedore.audit.store.RolloutFilter;
import dev.stevedore.audit.store.Views;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.common.runtime.Problems;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One method per route: validate, read on the worker pool, answer JSON. */
public final class QueryHandlers {
  private static final int EXPORT_PAGE = 1000;

  private final AuditStore store;
  private final AuditConfig.Api config;
  private final ObjectMapper json;
  private final Clock clock;
  private final java.util.concurrent.atomic.AtomicBoolean verifying = new java.util.concurrent.atomic.AtomicBoolean();

  public QueryHandlers(AuditStore store, AuditConfig.Api config, ObjectMapper json, Clock clock) {
    this.store = store;
    this.config = config;
    this.json = json;
    this.clock = clock;
  }

  public void listDeployments(RoutingContext ctx) {
    DeploymentFilter filter = params(ctx, QueryParams.DEPLOYMENT_PARAMS)
        .deploymentFilter(null, config.defaultLimit(), config.maxLimit());
    respond(ctx, store.read(q -> q.deployments(filter)).map(this::page));
  }

  public void serviceHistory(RoutingContext ctx) {
    DeploymentFilter filter = params(ctx, QueryParams.HISTORY_PARAMS)
        .deploymentFilter(ctx.pathParam("service"), config.defaultLimit(), config.maxLimit());
    respond(ctx, store.read(q -> q.deployments(filter)).map(this::page));
  }

  public void deployment(RoutingContext ctx) {
    params(ctx, Set.of());
    String id = QueryParams.validName("id", ctx.pathParam("id"));
    respond(ctx, store.read(q -> q.deployment(id)).map(found -> {
      Views.DeploymentDetail d = found.orElseThrow(() -> HttpProblem.notFound("no deployment " + QueryParams.clip(id)));
      ObjectNode node = json.valueToTree(d.deployment());
      node.set("hosts", json.valueToTree(d.hosts()));
      node.set("timeline", json.valueToTree(d.timeline()));
      return node;
    }));
  }

  /** Rollouts, newest first, filtered by environment, service and phase. */
  public void listRollouts(RoutingContext ctx) {
    RolloutFilter filter = params(ctx, QueryParams.ROLLOUT_PARAMS)
        .rolloutFilter(config.defaultLimit(), config.maxLimit());
    respond(ctx, store.read(q -> q.rollouts(filter)).map(items -> Map.of("items", items)));
  }

  /** One rollout with its waves, hosts and timeline. */
  public void rollout(RoutingContext ctx) {
    params(ctx, Set.of());
    String id = QueryParams.validName("id", ctx.pathParam("id"));
    respond(ctx, store.read(q -> q.rollout(id)).map(found -> {
      Views.RolloutDetail d = found.orElseThrow(() -> HttpProblem.notFound("no rollout " + QueryParams.clip(id)));
      ObjectNode node = json.valueToTree(d.rollout());
      node.set("policy", d.policy());
      node.set("unreached", json.valueToTree(d.unreached()));
      node.set("waves", json.valueToTree(d.waves()));
      node.set("hosts", json.valueToTree(d.hosts()));
      node.set("timeline", json.valueToTree(d.timeline()));
      return node;
    }));
  }

  public void hosts(RoutingContext ctx) {
    QueryParams p = params(ctx, Set.of("environment", "limit"));
    String environment = p.name("environment");
    int limit = p.limit(config.maxLimit(), 10_000);
    long staleBefore = clock.millis() - config.staleAfterSeconds() * 1000L;
    respond(ctx, store.read(q -> q.hosts(environment, staleBefore, limit)).map(hosts -> Map.of("items", hosts)));
  }

  public void dora(RoutingContext ctx) {
    QueryParams p = params(ctx, Set.of("service", "environment", "window"));
    String service = p.name("service");
    String environment = p.name("environment");
    Duration window = p.window();
    String windowText = p.raw("window") == null ? "30d" : p.raw("window");
    long until = clock.millis();
    long since = until - window.toMillis();
    respond(ctx, store.read(q -> {
      Dora dora = new Dora(window);
      q.doraRows(service, environment, since, until, dora);
      Map<String, Object> body = doraHead(service, environment, since, until);
      body.put("figures", dora.figures(windowText));
      return body;
    }));
  }

  /** The DORA figures per hour or day of the window, for the dashboard's charts. */
  public void doraSeries(RoutingContext ctx) {
    QueryParams p = params(ctx, Set.of("service", "environment", "window", "bucket"));
    String service = p.name("service");
    String environment = p.name("environment");
    Duration window = p.window();
    Duration bucket = p.bucket(window);
    long until = clock.millis();
    long since = until - window.toMillis();
    respond(ctx, store.read(q -> {
      Map<String, Object> body = doraHead(service, environment, since, until);
      body.put("bucket", bucket.toHours() == 1 ? "1h" : "1d");
      body.put("items", q.doraSeries(service, environment, since, until, bucket.toMillis()));
      return body;
    }));
  }

  private static Map<String, Object> doraHead(String service, String environment, long since, long until) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("service", service);
    body.put("environment", environment);
    body.put("since", Instant.ofEpochMilli(since).toString());
    body.put("until", Instant.ofEpochMilli(until).toString());
    return body;
  }

  /** Every service on every host against the version last asked of it there: what is behind. */
  public void fleet(RoutingContext ctx) {
    QueryParams p = params(ctx, Set.of("environment", "limit"));
    String environment = p.name("environment");
    int limit = p.limit(config.maxLimit(), 10_000);
    long staleBefore = clock.millis() - config.staleAfterSeconds() * 1000L;
    respond(ctx, store.read(q -> q.fleetVersions(environment, staleBefore, limit)).map(items -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("behind", items.stream().filter(Views.FleetVersion::behind).count());
      body.put("items", items);
      return body;
    }));
  }

  /** One chain walk at a time (it reads every stored event); a second caller gets 429. */
  public void verify(RoutingContext ctx) {
    params(ctx, Set.of());
    if (!verifying.compareAndSet(false, true)) {
      ctx.response().putHeader("Retry-After", "10");
      Problems.send(ctx, 429, "a chain verification is already running");
      return;
    }
    respond(ctx, store.read(q -> q.verifyChain()).onComplete(ar -> verifying.set(false)));
  }

  /** Event-id collisions with different bytes: the stored event and each distinct newcomer. */
  public void conflicts(RoutingContext ctx) {
    QueryParams p = params(ctx, Set.of("limit"));
    int limit = p.limit(config.defaultLimit(), config.maxLimit());
    respond(ctx, store.read(q -> q.conflicts(limit)).map(items -> Map.of("items", items)));
  }

  /** Stored agent events whose signature did not verify, newest first. */
  public void unverified(RoutingContext ctx) {
    QueryParams p = params(ctx, Set.of("limit"));
    int limit = p.limit(config.defaultLimit(), config.maxLimit());
    respond(ctx, store.read(q -> q.unverified(limit)).map(items -> Map.of("items", items)));
  }

  /** Streams raw events page by page, waiting for the client to drain; never the whole set in memory. */
  public void export(RoutingContext ctx) {
    QueryParams p = params(ctx, Set.of("format", "since", "until"));
    String format = p.format();
    Long since = p.instant("since");
    Long until = p.instant("until");
    HttpServerResponse response = ctx.response().setChunked(true)
        .putHeader("content-type", format.equals("csv") ? "text/csv; charset=utf-8" : "application/x-ndjson");
    // The first page is read before the head is written, so a database failure still gets a 503.
    store.read(q -> q.events(0, since, until, EXPORT_PAGE)).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      if (format.equals("csv")) {
        response.write(ExportFormat.CSV_HEADER);
      }
      writePage(ctx, response, format, since, until, ar.result());
    });
  }

  private void writePage(RoutingContext ctx, HttpServerResponse response, String format, Long since, Long until,
                         List<Views.RawEvent> rows) {
    if (rows.isEmpty()) {
      response.end();
      return;
    }
    Buffer buffer = Buffer.buffer(rows.size() * 512);
    rows.forEach(r -> buffer.appendString(format.equals("csv") ? ExportFormat.csv(r) : ExportFormat.ndjson(r)));
    response.write(buffer);
    long last = rows.get(rows.size() - 1).seq();
    Runnable next = () -> {
      if (response.closed()) {
        return;
      }
      store.read(q -> q.events(last, since, until, EXPORT_PAGE)).onComplete(ar -> {
        if (ar.failed()) {
          response.reset(); // the head is out: cut the stream so the client sees it incomplete
        } else {
          writePage(ctx, response, format, since, until, ar.result());
        }
      });
    };
    if (response.writeQueueFull()) {
      response.drainHandler(v -> next.run());
    } else {
      next.run();
    }
  }

  private Map<String, Object> page(Views.Page<Views.Deployment> page) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("items", page.items());
    body.put("next", page.next() == null ? null : QueryParams.Cursors.encode(page.next()));
    return body;
  }

  private static QueryParams params(RoutingContext ctx, Set<String> allowed) {
    MultiMap query;
    try {
      query = ctx.queryParams();
    } catch (RuntimeException e) {
      throw HttpProblem.badRequest("malformed query string");
    }
    Map<String, List<String>> params = new LinkedHashMap<>();
    for (String name : query.names()) {
      params.put(name, new ArrayList<>(query.getAll(name)));
    }
    return QueryParams.of(params, allowed);
  }

  private void respond(RoutingContext ctx, Future<?> result) {
    result.onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      try {
        ctx.response().putHeader("content-type", "application/json").end(json.writeValueAsString(ar.result()));
      } catch (JsonProcessingException e) {
        ctx.fail(e);
      }
    });
  }
}
