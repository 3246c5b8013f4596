package dev.stevedore.agent;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.DriverKind;
import dev.stevedore.agent.config.TrustedKeys;
import dev.stevedore.agent.driver.Breakers;
import dev.stevedore.agent.driver.ComposeFlavor;
import dev.stevedore.agent.process.Command;
import dev.stevedore.agent.process.ProcessRunner;
import dev.stevedore.common.runtime.HttpServerVerticle;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerOptions;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Programmatic entry point of the deploy agent (tests, all-in-one launchers, {@link AgentMain}). */
public final class AgentService {
  private static final Logger LOG = LoggerFactory.getLogger(AgentService.class);

  private AgentService() {}

  public static Future<RunningAgent> start(Vertx vertx, AgentConfig config) {
    return start(vertx, config, null);
  }

  /**
   * With {@code drivers} making every service's driver (null: the config's compose or git
   * drivers); the fleet simulator's entry point.
   */
  public static Future<RunningAgent> start(Vertx vertx, AgentConfig config, dev.stevedore.agent.driver.DriverFactory drivers) {
    List<PublicKey> keys;
    try {
      keys = TrustedKeys.parse(config.trustedKeys());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    WorkerExecutor processes = vertx.createSharedWorkerExecutor("stevedore-agent-process-" + config.hostId(), 4,
        config.resilience().stepTimeout().toMillis() + 60_000, java.util.concurrent.TimeUnit.MILLISECONDS);
    WorkerExecutor stateWorker = vertx.createSharedWorkerExecutor("stevedore-agent-state-" + config.hostId(), 1);
    ProcessRunner runner = new ProcessRunner(vertx, processes);
    PrometheusMeterRegistry metrics = dev.stevedore.common.ops.ServiceMetrics.create("agent");
    Breakers breakers = new Breakers(config.resilience());
    breakers.bindTo(metrics);
    boolean needsCompose = drivers == null && config.services().values().stream().anyMatch(s -> s.driver() == DriverKind.COMPOSE);
    Future<ComposeFlavor> flavor = needsCompose ? detect(runner, config) : Future.succeededFuture(null);
    return flavor.compose(f -> {
      AgentVerticle agent = new AgentVerticle(config, keys, f, runner, stateWorker, metrics, breakers, drivers);
      return vertx.deployVerticle(agent).compose(agentId -> {
        if (config.httpPort() < 0) {
          return Future.succeededFuture(new RunningAgent(-1, () -> undeploy(vertx, List.of(agentId), processes, stateWorker)));
        }
        HttpServerVerticle ops = new HttpServerVerticle(
            new HttpServerOptions().setHost(config.httpHost()).setPort(config.httpPort()),
            new AgentOpsRoutes(metrics, ProxyMetricsRelay.of(vertx, config)), e -> null);
        return vertx.deployVerticle(ops).map(opsId -> new RunningAgent(ops.port(),
            () -> undeploy(vertx, List.of(opsId, agentId), processes, stateWorker)));
      });
    });
  }

  private static Future<Void> undeploy(Vertx vertx, List<String> ids, WorkerExecutor... executors) {
    Future<Void> chain = Future.succeededFuture();
    for (String id : ids) {
      chain = chain.compose(v -> vertx.undeploy(id).recover(e -> Future.succeededFuture()));
    }
    return chain.compose(v -> {
      for (WorkerExecutor e : executors) {
        e.close();
      }
      return Future.succeededFuture();
    });
  }

  /** {@code docker compose version} first (v2), then {@code docker-compose version} (v1), unless configured. */
  static Future<ComposeFlavor> detect(ProcessRunner runner, AgentConfig config) {
    if (config.composeCommand().equals("v1")) {
      return Future.succeededFuture(ComposeFlavor.V1);
    }
    if (config.composeCommand().equals("v2")) {
      return Future.succeededFuture(ComposeFlavor.V2);
    }
    Duration t = Duration.ofSeconds(20);
    return runner.run(Command.of(ComposeFlavor.V2.versionProbe(config.dockerCommand())).withTimeout(t)).compose(v2 -> {
      if (v2.ok()) {
        LOG.info("compose: docker compose (v2): {}", v2.output().trim());
        return Future.succeededFuture(ComposeFlavor.V2);
      }
      return runner.run(Command.of(ComposeFlavor.V1.versionProbe(config.dockerCommand())).withTimeout(t)).compose(v1 -> {
        if (v1.ok()) {
          LOG.info("compose: docker-compose (v1): {}", v1.output().lines().findFirst().orElse(""));
          return Future.succeededFuture(ComposeFlavor.V1);
        }
        return Future.failedFuture(new IllegalStateException(
            "neither 'docker compose' nor 'docker-compose' works: " + v1.tail(300)));
      });
    });
  }
}
