package dev.stevedore.trigger;

import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.kafka.EventPublisher;
import dev.stevedore.common.runtime.ConnectionLimits;
import dev.stevedore.common.runtime.HttpServerVerticle;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.common.event.EventDecodingException;
import dev.stevedore.common.event.TraceContext;
import dev.stevedore.common.security.RequestVerifier;
import dev.stevedore.trigger.core.RecentIds;
import dev.stevedore.trigger.history.DeploymentHistory;
import dev.stevedore.trigger.history.HistoryFeed;
import dev.stevedore.trigger.history.SignedHere;
import dev.stevedore.trigger.core.RequestFactory;
import dev.stevedore.trigger.core.RequestSink;
import dev.stevedore.trigger.core.Submitter;
import dev.stevedore.trigger.core.TriggerMetrics;
import dev.stevedore.trigger.hooks.BranchRules;
import dev.stevedore.trigger.hooks.GenericHooks;
import dev.stevedore.trigger.hooks.GitHubHooks;
import dev.stevedore.trigger.hooks.GitLabHooks;
import dev.stevedore.trigger.hooks.Hmac;
import dev.stevedore.trigger.hooks.WebhookParsers;
import dev.stevedore.trigger.http.TriggerRoutes;
import dev.stevedore.trigger.rollout.Blocklist;
import dev.stevedore.trigger.rollout.DeployWindows;
import dev.stevedore.trigger.rollout.RolloutMachine;
import dev.stevedore.trigger.rollout.RolloutPolicies;
import dev.stevedore.trigger.rollout.RolloutSink;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLogger;

/**
 * The start-up warm-up of the webhook path (issue #14; budget: {@link TriggerConfig.WarmUp}). A
 * fresh JVM serves its first minute of webhooks 10-15 times slower than later, while the JIT
 * compiles the HTTP, Netty, Vert.x and router code on the same cores; this sends synthetic but
 * well-formed webhooks (GitHub pushes, and GitLab pushes and generic hooks when those sources are
 * configured; half of them resent, as duplicates) over loopback, from a real Vert.x HTTP client to
 * a real Vert.x HTTP server on an ephemeral 127.0.0.1 port, through the real router, guards, HMAC
 * checks, parsers, branch rules, submitter, rollout sink, signing and encoding, and back through
 * decoding and a history as the service's history consumer reads each request, before the
 * service's own port listens.
 *
 * <p>Nothing of it is shared with the service: its own hook secrets and branch rules (repository
 * {@code stevedore/warm-up}), its own guards (rate limits, failure budget), metrics registry,
 * id memory, circuit breaker, blocklist, rollout machine and history, and a signing key of its own
 * made for it (the service's key signs nothing here). Its sink encodes each request, reads it back
 * into its own history and drops it: nothing reaches Kafka. Its submitter logs nowhere (thousands
 * of lines otherwise). Never fails the start:
 * a warm-up that cannot listen or answers wrongly is logged and the start goes on.
 */
final class WebhookWarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookWarmUp.class);
  /** Requests in flight at once: enough to keep the server's event loop busy on a 2-core machine. */
  static final int IN_FLIGHT = 16;
  static final String REPOSITORY = "stevedore/warm-up";
  private static final long PROGRESS_MS = 5_000;

  /**
   * What a warm-up did: {@code requests} answered, {@code unexpected} of them not with 202, in
   * {@code millis}; {@code firstPerSecond} and {@code lastPerSecond}: its rate in its first and its
   * last full second.
   */
  record Result(long requests, long unexpected, long millis, long firstPerSecond, long lastPerSecond) {
    static final Result NONE = new Result(0, 0, 0, 0, 0);
  }

  /** One kind of synthetic webhook: its path and how request {@code n} (body version {@code n / 2}) is made. */
  private record Kind(String path, java.util.function.LongFunction<Sent> make) {}

  private record Sent(byte[] body, Map<String, String> headers) {}

  private final Vertx vertx;
  private final TriggerConfig config;
  private final EventCodec codec;
  private final Clock clock;
  private final String secret = randomSecret();

  WebhookWarmUp(Vertx vertx, TriggerConfig config, EventCodec codec, Clock clock) {
    this.vertx = vertx;
    this.config = config;
    this.codec = codec;
    this.clock = clock;
  }

  /** Runs the warm-up within its budget; always succeeds (a failure is logged, and a partial result given). */
  Future<Result> run() {
    TriggerConfig.WarmUp budget = config.warmUp();
    if (!budget.enabled()) {
      return Future.succeededFuture(Result.NONE);
    }
    // Everything is made on a worker (key generation, Bouncy Castle's and Jackson's class loading:
    // seconds under load), only the server is deployed from the event loop.
    return vertx.executeBlocking(() -> {
      KeyPair keys = Ed25519Keys.generate();
      Submitter submitter = submitter(keys);
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      var breaker = EventPublisher.defaultBreaker("warm-up");
      TriggerMetrics metrics = new TriggerMetrics(registry, breaker);
      TriggerConfig.Limits real = config.limits();
      // Its own limits: the service's rate limit would refuse a warm-up's pace with 429.
      TriggerConfig.Limits limits = new TriggerConfig.Limits(real.bodyLimitBytes(), 1_000_000_000,
          real.replayWindowSeconds(), real.publishTimeoutMs(), 10_000, real.retryAfterSeconds(), 1_000_000_000);
      GenericHooks generic = new GenericHooks(List.of(new TriggerConfig.GenericHook("warm-up", secret, secret,
          List.of(), List.of())), limits.replayWindowSeconds(), clock);
      BranchRules rules = new BranchRules(List.of(new TriggerConfig.Repository(REPOSITORY, List.of("warm-up"),
          "warm-up", null)));
      WebhookParsers parsers = new WebhookParsers(new GitHubHooks(secret, rules), new GitLabHooks(secret, rules));
      var routes = TriggerRoutes.hooksOnly(limits, generic, parsers, submitter, metrics, breaker);
      return new HttpServerVerticle(
          HttpServerVerticle.publicApi("127.0.0.1", 0).setIdleTimeout(60), (vx, router) -> routes.accept(router),
          e -> null, new ConnectionLimits(config.http().maxConnections(), config.http().requestTimeoutMs()));
    }).compose(server -> vertx.deployVerticle(server).compose(id -> drive(server.port(), kinds(), budget)
        .eventually(() -> vertx.undeploy(id).recover(e -> Future.succeededFuture()))))
        .recover(e -> {
          LOG.warn("warm-up failed, the service starts without it: {}", e.toString());
          return Future.succeededFuture(Result.NONE);
        });
  }

  /** The sources this service has configured (at least GitHub's kind: it warms the HTTP stack for any). */
  private List<Kind> kinds() {
    List<Kind> kinds = new ArrayList<>();
    kinds.add(new Kind("/hooks/github", this::github));
    if (config.gitlab().token() != null) {
      kinds.add(new Kind("/hooks/gitlab", this::gitlab));
    }
    if (!config.generic().isEmpty()) {
      kinds.add(new Kind("/hooks/generic/" + secret, this::generic));
    }
    if (config.github().secret() == null && kinds.size() > 1) {
      kinds.remove(0);
    }
    return kinds;
  }

  private Submitter submitter(KeyPair keys) {
    RequestFactory factory = new RequestFactory(new RequestSigner(keys, codec), config.instanceId(), clock);
    // What happens to a published request, without Kafka: encoded as the publisher does, then
    // decoded and fed to a history of the warm-up's own, as the service's history reads it back.
    DeploymentHistory history = new DeploymentHistory(config.history().perService(), 10_000);
    SignedHere signedHere = new SignedHere(4_096);
    HistoryFeed feed = new HistoryFeed(history, new RequestVerifier(List.of(keys.getPublic()), codec),
        config.agents().verifier(codec), signedHere);
    RequestSink discard = (request, options) -> {
      signedHere.remember(request);
      try {
        feed.accept(codec.decode(codec.encode(request, TraceContext.extensions(options.trace()))));
      } catch (EventDecodingException e) {
        return Future.failedFuture(e);
      }
      return Future.succeededFuture();
    };
    var settings = config.rollouts();
    RolloutSink sink = new RolloutSink(discard, new Blocklist(), new RolloutPolicies(settings),
        new RolloutMachine(config.instanceId()), state -> Future.succeededFuture(), settings.enabled(), clock,
        new DeployWindows(settings.windows()));
    return new Submitter(factory, sink, new RecentIds(10_000), new TriggerMetrics(
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), EventPublisher.defaultBreaker("warm-up")),
        config.limits().publishTimeoutMs(), id -> false, null, quietLogger());
  }

  /**
   * A logger that writes nothing, of the same class as the service's (logback's, with its level
   * off): the compiled code of the submitter's log calls stays valid for the service's logger.
   */
  private static Logger quietLogger() {
    Logger quiet = LoggerFactory.getLogger(WebhookWarmUp.class.getName() + ".requests");
    if (quiet instanceof ch.qos.logback.classic.Logger logback) {
      logback.setLevel(ch.qos.logback.classic.Level.OFF);
      return quiet;
    }
    return NOPLogger.NOP_LOGGER;
  }

  /** {@code IN_FLIGHT} chains of requests, each sending the next when its answer is read, until the budget ends. */
  private Future<Result> drive(int port, List<Kind> kinds, TriggerConfig.WarmUp budget) {
    long t0 = System.nanoTime();
    long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(budget.boundMs());
    long maxRequests = budget.requests() > 0 ? budget.requests() : Long.MAX_VALUE;
    LOG.info("warm-up: webhooks over loopback (port {}; {}) for up to {} ms{}, before the service listens", port,
        String.join(", ", kinds.stream().map(Kind::path).map(p -> p.startsWith("/hooks/generic/")
            ? "/hooks/generic/{token}" : p).toList()), budget.boundMs(),
        budget.requests() > 0 ? " or " + budget.requests() + " requests" : "");
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(port).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
    AtomicLong started = new AtomicLong();
    AtomicLong answered = new AtomicLong();
    AtomicLong unexpected = new AtomicLong();
    AtomicLongArray perSecond = new AtomicLongArray((int) (budget.boundMs() / 1000) + 2);
    AtomicBoolean steady = new AtomicBoolean();
    long steadyTimer = !budget.untilSteady() ? -1 : vertx.setPeriodic(1_000, t -> {
      int second = (int) ((System.nanoTime() - t0) / 1_000_000_000L);
      if (!steady.get() && steady(perSecond, second)) {
        LOG.info("warm-up: steady after {} s (no more than 5 % faster than {} s before)", second,
            TriggerConfig.WarmUp.STEADY_SECONDS);
        steady.set(true);
      }
    });
    long[] progress = {0, t0};
    long timer = vertx.setPeriodic(PROGRESS_MS, t -> {
      long now = System.nanoTime();
      long n = answered.get();
      LOG.info("warm-up: {} requests, {}/s over the last {} s", n,
          (n - progress[0]) * 1_000_000_000L / Math.max(1, now - progress[1]), PROGRESS_MS / 1000);
      progress[0] = n;
      progress[1] = now;
    });
    List<Future<Void>> chains = new ArrayList<>();
    for (int i = 0; i < IN_FLIGHT; i++) {
      Promise<Void> done = Promise.promise();
      chains.add(done.future());
      next(client, kinds, started, answered, unexpected, perSecond, steady, t0, deadline, maxRequests, done);
    }
    return Future.join(chains).transform(ar -> {
      vertx.cancelTimer(timer);
      vertx.cancelTimer(steadyTimer);
      long millis = (System.nanoTime() - t0) / 1_000_000;
      int full = (int) Math.min(perSecond.length(), millis / 1000);
      Result r = new Result(answered.get(), unexpected.get(), millis, full > 0 ? perSecond.get(0) : answered.get(),
          full > 0 ? perSecond.get(full - 1) : answered.get());
      LOG.info("warm-up done: {} requests in {} ms; {}/s in its first second, {}/s in its last{}", r.requests(),
          r.millis(), r.firstPerSecond(), r.lastPerSecond(), r.unexpected() == 0 ? ""
              : "; " + r.unexpected() + " answered otherwise than 202 (a bug of the warm-up, not of the service)");
      return client.close().recover(e -> Future.succeededFuture()).map(r);
    });
  }

  private void next(HttpClient client, List<Kind> kinds, AtomicLong started, AtomicLong answered, AtomicLong unexpected,
      AtomicLongArray perSecond, AtomicBoolean steady, long t0, long deadline, long maxRequests, Promise<Void> done) {
    long n = started.getAndIncrement();
    if (n >= maxRequests || System.nanoTime() >= deadline || steady.get()) {
      done.tryComplete();
      return;
    }
    Kind kind = kinds.get((int) ((n / 2) % kinds.size()));
    Sent sent = kind.make().apply(n / 2);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(kind.path())
        .setTimeout(config.limits().publishTimeoutMs() + 5_000);
    sent.headers().forEach(options::putHeader);
    client.request(options)
        .compose(req -> req.send(Buffer.buffer(sent.body())))
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(ar -> {
          answered.incrementAndGet();
          int second = (int) ((System.nanoTime() - t0) / 1_000_000_000L);
          if (second < perSecond.length()) {
            perSecond.incrementAndGet(second);
          }
          if (ar.failed() || ar.result() != 202) {
            if (unexpected.getAndIncrement() == 0) {
              LOG.warn("warm-up: {} answered {}", kind.path().startsWith("/hooks/generic/") ? "/hooks/generic/{token}"
                  : kind.path(), ar.failed() ? ar.cause().toString() : String.valueOf(ar.result()));
            }
          }
          next(client, kinds, started, answered, unexpected, perSecond, steady, t0, deadline, maxRequests, done);
        });
  }

  /**
   * Whether the rate has stopped rising by the end of {@code second} full seconds: the best second
   * of the last {@code STEADY_SECONDS} is no more than 5 % above the best of the ones before them.
   */
  static boolean steady(AtomicLongArray perSecond, int second) {
    int w = TriggerConfig.WarmUp.STEADY_SECONDS;
    if (second < 2 * w || second > perSecond.length()) {
      return false;
    }
    long recent = 0;
    long before = 0;
    for (int i = second - w; i < second; i++) {
      recent = Math.max(recent, perSecond.get(i));
      before = Math.max(before, perSecond.get(i - w));
    }
    return before > 0 && recent * 100 <= before * 105;
  }

  /** A push to main of the warm-up repository; {@code v} makes its commit (the same {@code v}: a duplicate). */
  private Sent github(long v) {
    byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + commit(v) + "\",\"repository\":{\"full_name\":\""
        + REPOSITORY + "\"},\"pusher\":{\"name\":\"warm-up\"}}").getBytes(StandardCharsets.UTF_8);
    return new Sent(body, Map.of("content-type", "application/json", GitHubHooks.EVENT, "push",
        GitHubHooks.DELIVERY, "warm-up-" + v, GitHubHooks.SIGNATURE, Hmac.header(secret, body)));
  }

  private Sent gitlab(long v) {
    byte[] body = ("{\"object_kind\":\"push\",\"ref\":\"refs/heads/main\",\"before\":\"" + commit(v + 1)
        + "\",\"after\":\"" + commit(v) + "\",\"checkout_sha\":\"" + commit(v) + "\",\"user_username\":\"warm-up\","
        + "\"project\":{\"path_with_namespace\":\"" + REPOSITORY + "\"}}").getBytes(StandardCharsets.UTF_8);
    return new Sent(body, Map.of("content-type", "application/json", GitLabHooks.EVENT, "Push Hook",
        GitLabHooks.DELIVERY, "warm-up-" + v, GitLabHooks.TOKEN, secret));
  }

  private Sent generic(long v) {
    byte[] body = ("{\"service\":\"warm-up\",\"environment\":\"warm-up\",\"version\":\"v" + v + "\",\"commit\":\""
        + commit(v) + "\"}").getBytes(StandardCharsets.UTF_8);
    // The timestamp is of the first time this body is sent: its resend is the same bytes (a duplicate).
    String timestamp = String.valueOf(clock.instant().getEpochSecond());
    return new Sent(body, Map.of("content-type", "application/json", GenericHooks.TIMESTAMP, timestamp,
        GenericHooks.SIGNATURE, Hmac.header(secret, timestamp.getBytes(StandardCharsets.US_ASCII), new byte[] {'.'},
            body)));
  }

  /** Never 40 zeros (a deleted ref). */
  private static String commit(long v) {
    return String.format("%040x", v + 1);
  }

  private static String randomSecret() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
