package dev.stevedore.agent.poll;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.deploy.DeployJob;
import dev.stevedore.agent.deploy.Reconciler;
import dev.stevedore.agent.registry.RegistryClient;
import dev.stevedore.agent.state.AgentState;
import dev.stevedore.common.event.DeploymentIds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polling mode (the cron of the pull model), for hosts CI cannot reach: per service, on its
 * schedule, ask the registry for the digest of {@code image:tag}; when it differs from the running
 * one, deploy the tag through the same cycle. The deployment id is derived from host, service and
 * digest, so a digest is tried once (a failed one is not retried in a loop). Events of these
 * deployments have the source {@code stevedore://agent/<host>/poll}.
 */
public final class Poller {
  private static final Logger LOG = LoggerFactory.getLogger(Poller.class);

  private final Vertx vertx;
  private final AgentConfig config;
  private final AgentState state;
  private final RegistryClient registry;
  private final Reconciler reconciler;
  private final List<Long> timers = new ArrayList<>();
  private boolean stopped;

  public Poller(Vertx vertx, AgentConfig config, AgentState state, RegistryClient registry, Reconciler reconciler) {
    this.vertx = vertx;
    this.config = config;
    this.state = state;
    this.registry = registry;
    this.reconciler = reconciler;
  }

  public void start() {
    for (Map.Entry<String, ServiceConfig> e : config.services().entrySet()) {
      ServiceConfig.PollConfig poll = e.getValue().poll();
      if (poll == null) {
        continue;
      }
      if (e.getValue().image() == null) {
        LOG.error("service {}: polling needs image (the repository); polling is off for it", e.getKey());
        continue;
      }
      schedule(e.getKey(), e.getValue());
    }
  }

  public void stop() {
    stopped = true;
    timers.forEach(vertx::cancelTimer);
  }

  static long delayMs(ServiceConfig.PollConfig poll, ZonedDateTime now) {
    if (poll.interval() != null) {
      return Math.max(1, poll.interval().toMillis());
    }
    ZonedDateTime next = poll.schedule().next(now)
        .orElseThrow(() -> new IllegalStateException("cron " + poll.schedule() + " names no future time"));
    return Math.max(1, Duration.between(now, next).toMillis());
  }

  private void schedule(String service, ServiceConfig sc) {
    if (stopped) {
      return;
    }
    long delay = delayMs(sc.poll(), ZonedDateTime.now(ZoneOffset.UTC));
    timers.add(vertx.setTimer(delay, id -> {
      timers.remove(id);
      pollOnce(service, sc).onComplete(ar -> schedule(service, sc));
    }));
  }

  /** One poll of one service; succeeds with the deployment id it submitted, or null. */
  public Future<String> pollOnce(String service, ServiceConfig sc) {
    if (reconciler.busy(service)) {
      return Future.succeededFuture(null);
    }
    String tag = sc.poll().tag();
    return registry.digest(sc.image(), tag).map(digest -> {
      if (digest == null) {
        LOG.warn("service {}: {}:{} not found in the registry", service, sc.image(), tag);
        return null;
      }
      AgentState.ServiceRecord record = state.services.get(service);
      String running = record == null || record.current == null ? null : record.current.digest;
      if (digest.equals(running)) {
        return null;
      }
      String deploymentId = DeploymentIds.of("poll", config.hostId() + "/" + service + "/" + digest);
      if (state.processed(deploymentId) || reconciler.holds(deploymentId)) {
        return null;
      }
      LOG.info("service {}: registry has {} for {}:{} (running {}); deploying", service, digest, sc.image(), tag, running);
      reconciler.submit(new DeployJob(deploymentId, service, config.environment(), tag, Instant.now(), "poll",
          config.eventSource() + "/poll"));
      return deploymentId;
    }).recover(e -> {
      LOG.warn("service {}: poll of {}:{} failed: {}", service, sc.image(), tag, e.getMessage());
      return Future.succeededFuture(null);
    });
  }
}
