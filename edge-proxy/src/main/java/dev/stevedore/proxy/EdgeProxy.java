package dev.stevedore.proxy;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the proxy: state from its file, then the admin endpoint, then the public port. */
public final class EdgeProxy {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeProxy.class);

  /** A started proxy: its bound ports and a way to stop it. */
  public record Running(int port, int adminPort, Traffic traffic, java.util.function.Supplier<Future<Void>> stop) {
    /** Stops both servers; requests in flight on the public port finish first. */
    public void undeploy() {
      stop.get();
    }
  }

  private EdgeProxy() {}

  public static Future<Running> start(Vertx vertx, ProxyConfig config) {
    StateFile file = new StateFile(Path.of(config.statePath()));
    return vertx.executeBlocking(file::load).compose(initial -> {
      Traffic traffic = new Traffic(initial);
      AdminVerticle admin = new AdminVerticle(config, traffic, file, Clock.systemUTC());
      PublicVerticle[] first = new PublicVerticle[1];
      return vertx.deployVerticle(admin)
          .compose(adminId -> vertx.deployVerticle(() -> {
            PublicVerticle v = new PublicVerticle(config, traffic);
            if (first[0] == null) {
              first[0] = v;
            }
            return v;
          }, new DeploymentOptions().setInstances(config.instances())).map(publicId -> {
            LOG.info("edge proxy on {}:{} -> {} (admin {}:{}; state {})", config.host(), first[0].actualPort(),
                initial.active() == null ? "no colour yet" : initial.active(), config.adminHost(), admin.actualPort(),
                file.path());
            return new Running(first[0].actualPort(), admin.actualPort(), traffic,
                () -> vertx.undeploy(publicId).eventually(() -> vertx.undeploy(adminId)));
          }));
    });
  }
}
