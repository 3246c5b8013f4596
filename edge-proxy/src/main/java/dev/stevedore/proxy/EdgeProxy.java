package dev.stevedore.proxy;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the proxy: state from its file, then the public port, then the admin endpoint.
 *
 * <p>A restart without refused connections (docs/blue-green.md): with {@code reusePort} the new
 * process binds the public port while the old one still holds it (SO_REUSEPORT, epoll), so the
 * kernel always has a listener. The admin port is not shared: the new process serves traffic with
 * the state file's colour and follows the file (the old process saves it before every switch)
 * until the old one, on SIGTERM, frees the admin port; then it takes the port and reads the file
 * a last time. Only one process can switch at any moment.
 */
public final class EdgeProxy {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeProxy.class);
  /** How long a new proxy waits for the admin port the proxy it replaces holds. */
  static final Duration ADMIN_WAIT = Duration.ofMinutes(5);
  private static final long ADMIN_RETRY_MS = 100;

  /**
   * A started proxy: its bound ports, {@code stop} (both servers now; requests in flight on the
   * public port still finish) and {@code shutdown} (the graceful order of a SIGTERM).
   */
  public record Running(int port, int adminPort, Traffic traffic, Supplier<Future<Void>> stop,
      Function<Duration, Future<Void>> shutdown) {
    /** Stops both servers; requests in flight on the public port finish first. */
    public void undeploy() {
      stop.get();
    }
  }

  private EdgeProxy() {}

  public static Future<Running> start(Vertx vertx, ProxyConfig config) {
    StateFile file = new StateFile(Path.of(config.statePath()));
    boolean reusePort = config.reusePort() && vertx.isNativeTransportEnabled();
    if (config.reusePort() && !reusePort) {
      LOG.warn("reusePort is set but the native transport is not available ({}): the public port is not shared, "
          + "a restart refuses connections until the new process listens", vertx.unavailableNativeTransportCause() == null
          ? "not Linux x86_64?" : vertx.unavailableNativeTransportCause().getMessage());
    }
    return vertx.executeBlocking(file::load).compose(initial -> {
      Traffic traffic = new Traffic(initial);
      PublicVerticle[] first = new PublicVerticle[1];
      java.util.List<PublicVerticle> servers = new java.util.concurrent.CopyOnWriteArrayList<>();
      return vertx.deployVerticle(() -> {
        PublicVerticle v = new PublicVerticle(config, traffic, reusePort);
        if (first[0] == null) {
          first[0] = v;
        }
        servers.add(v);
        return v;
      }, new DeploymentOptions().setInstances(config.instances())).compose(publicId -> {
        LOG.info("edge-proxy public port {}:{} bound{} -> {}", config.host(), first[0].actualPort(),
            reusePort ? " (SO_REUSEPORT)" : "", initial.active() == null ? "no colour yet" : initial.active());
        long deadline = System.nanoTime() + ADMIN_WAIT.toNanos();
        AdminVerticle[] admin = new AdminVerticle[1];
        io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry = dev.stevedore.common.ops.ServiceMetrics.create("proxy");
        return deployAdmin(vertx, config, traffic, file, registry, reusePort, deadline, admin, true)
            .compose(adminId -> follow(vertx, file, traffic).map(v -> {
              LOG.info("edge proxy on {}:{} -> {} (admin {}:{}; state {})", config.host(), first[0].actualPort(),
                  traffic.state().active() == null ? "no colour yet" : traffic.state().active(), config.adminHost(),
                  admin[0].actualPort(), file.path());
              return new Running(first[0].actualPort(), admin[0].actualPort(), traffic,
                  () -> vertx.undeploy(publicId).eventually(() -> vertx.undeploy(adminId)),
                  grace -> shutdown(vertx, traffic, servers, publicId, adminId, grace));
            }))
            .recover(e -> vertx.undeploy(publicId).transform(ar -> Future.failedFuture(e)));
      });
    });
  }

  /**
   * The admin endpoint. When its port is held (by the proxy this one replaces) and the public port
   * is shared, retries until it is free, following the state file meanwhile.
   */
  private static Future<String> deployAdmin(Vertx vertx, ProxyConfig config, Traffic traffic, StateFile file,
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry, boolean takeover, long deadline,
      AdminVerticle[] holder, boolean firstAttempt) {
    AdminVerticle admin = new AdminVerticle(config, traffic, file, Clock.systemUTC(), registry);
    holder[0] = admin;
    return vertx.deployVerticle(admin).recover(e -> {
      if (!takeover || !addressInUse(e) || System.nanoTime() > deadline) {
        return Future.failedFuture(e);
      }
      if (firstAttempt) {
        LOG.info("admin port {} is held (the proxy this one replaces?): serving traffic, following {} until the port is "
            + "free", config.adminPort(), file.path());
      }
      Promise<Void> later = Promise.promise();
      vertx.setTimer(ADMIN_RETRY_MS, id -> later.complete());
      return later.future().compose(v -> follow(vertx, file, traffic))
          .compose(v -> deployAdmin(vertx, config, traffic, file, registry, true, deadline, holder, false));
    });
  }

  /** Applies the state file when it is newer than what this process serves (a switch the old process made). */
  static Future<Void> follow(Vertx vertx, StateFile file, Traffic traffic) {
    return vertx.executeBlocking(file::load).map(saved -> {
      ProxyState now = traffic.state();
      if (saved.generation() > now.generation()) {
        LOG.info("state file is at switch {} ({}): following it", saved.generation(), saved.active());
        traffic.set(saved);
      }
      return (Void) null;
    }).recover(e -> {
      LOG.warn("could not read {}: {}", file.path(), e.getMessage());
      return Future.succeededFuture();
    });
  }

  static boolean addressInUse(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  /**
   * SIGTERM: free the admin port (a new proxy takes it and becomes the one that switches), close
   * the listening socket (new connections go to the other process on the port), answer every
   * response with {@code Connection: close} for {@code grace} (clients move their keep-alive
   * connections to the new process after a response, never under a request), then close the
   * connections still idle and let requests in flight finish (at most 10 s).
   */
  private static Future<Void> shutdown(Vertx vertx, Traffic traffic, java.util.List<PublicVerticle> servers,
      String publicId, String adminId, Duration grace) {
    return vertx.undeploy(adminId).eventually(() -> {
      java.util.List<Future<Void>> closing = new java.util.ArrayList<>();
      servers.forEach(s -> closing.add(s.stopAccepting()));
      return Future.join(closing);
    }).eventually(() -> {
      traffic.drain();
      LOG.info("edge-proxy stopping: admin port and listening socket closed; closing client connections after their "
          + "next response for {}", grace);
      Promise<Void> waited = Promise.promise();
      vertx.setTimer(Math.max(1, grace.toMillis()), id -> waited.complete());
      return waited.future();
    }).eventually(() -> vertx.undeploy(publicId));
  }
}
