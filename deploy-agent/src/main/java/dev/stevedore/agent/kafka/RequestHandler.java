package dev.stevedore.agent.kafka;

import dev.stevedore.common.logging.Logs;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.deploy.Admission.Decision;
import dev.stevedore.agent.deploy.Admission;
import dev.stevedore.agent.deploy.DeployJob;
import dev.stevedore.agent.deploy.DesiredVersions;
import dev.stevedore.agent.deploy.Reconciler;
import dev.stevedore.agent.state.AgentState;
import dev.stevedore.common.event.DeployCancelled;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.EventDecodingException;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.event.VersionUnblocked;
import dev.stevedore.common.security.RequestVerifier;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the agent does with one record of the requests topic, independent of Kafka: decode,
 * verify, admit, then hand it to the {@link Reconciler} (as the service's desired version), skip,
 * ignore or dead-letter it; a verified {@code version.unblocked} for this host lifts a block, a
 * verified {@code deploy.cancelled} withdraws a request that waits. The future completes when the record's side effect is durable (the
 * offset may then be committed): for an admitted request, once it is recorded as desired, not
 * when it is deployed.
 */
public final class RequestHandler {
  private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);

  /** Where records that cannot be trusted go. */
  public interface DeadLetters {
    /** {@code origin}: extra headers naming where the record came from (partition, offset). */
    Future<Void> send(String key, byte[] value, String reason, java.util.Map<String, String> origin);
  }

  private final AgentConfig config;
  private final EventCodec codec;
  private final RequestVerifier verifier;
  private final AgentState state;
  private final DesiredVersions reconciler;
  private final DeadLetters deadLetters;
  private final java.time.Clock clock;
  private final dev.stevedore.agent.deploy.FleetBlocks fleet;

  public RequestHandler(AgentConfig config, EventCodec codec, RequestVerifier verifier, AgentState state,
      DesiredVersions reconciler, DeadLetters deadLetters, java.time.Clock clock) {
    this(config, codec, verifier, state, reconciler, deadLetters, clock, dev.stevedore.agent.deploy.FleetBlocks.none());
  }

  /** @param fleet the fleet-wide blocks Admission refuses */
  public RequestHandler(AgentConfig config, EventCodec codec, RequestVerifier verifier, AgentState state,
      DesiredVersions reconciler, DeadLetters deadLetters, java.time.Clock clock, dev.stevedore.agent.deploy.FleetBlocks fleet) {
    this.fleet = fleet;
    this.config = config;
    this.codec = codec;
    this.verifier = verifier;
    this.state = state;
    this.reconciler = reconciler;
    this.deadLetters = deadLetters;
    this.clock = clock;
  }

  /** {@code origin}: dead-letter headers naming the record's partition and offset. */
  public Future<Void> handle(String key, byte[] value, java.util.Map<String, String> origin) {
    StevedoreEvent event;
    try {
      event = codec.decode(value);
    } catch (EventDecodingException e) {
      LOG.warn("undecodable record (key {}): {}; sent to the dead-letter topic", key, e.getMessage());
      return deadLetters.send(key, value, "undecodable: " + e.getMessage(), origin);
    }
    if (event instanceof DeployRequested request) {
      return handle(key, value, request, origin);
    }
    if (event instanceof VersionUnblocked unblock) {
      return unblock(key, value, unblock, origin);
    }
    if (event instanceof DeployCancelled cancelled) {
      return cancel(key, value, cancelled, origin);
    }
    LOG.warn("unexpected {} on the requests topic (key {}); sent to the dead-letter topic", event.type().typeName(), key);
    return deadLetters.send(key, value, "unexpected event type " + event.type().typeName() + " on the requests topic", origin);
  }

  /**
   * A cancellation counts only when its signature verifies against the trusted trigger keys (write
   * access to the topic is not enough to withdraw a deployment); an unsigned or forged one is
   * dead-lettered with the reason. A verified one withdraws the deployment only where it is this
   * host's environment and the service's request that still waits.
   */
  private Future<Void> cancel(String key, byte[] value, DeployCancelled cancelled, java.util.Map<String, String> origin) {
    String rejection = verifier.rejection(cancelled);
    if (rejection != null) {
      Logs.withDeployment(cancelled.deploymentId(), () ->
          LOG.warn("deployment {}: cancellation for {}/{} refused ({}); nothing withdrawn, sent to the dead-letter topic",
          cancelled.deploymentId(), cancelled.environment(), cancelled.service(), rejection));
      return deadLetters.send(key, value, rejection, origin);
    }
    if (!cancelled.environment().equals(config.environment()) || !config.services().containsKey(cancelled.service())) {
      Logs.withDeployment(cancelled.deploymentId(), () ->
          LOG.debug("deployment {}: cancellation not meant for this host or service", cancelled.deploymentId()));
      return Future.succeededFuture();
    }
    String reason = "cancelled by " + (cancelled.requestedBy() == null ? "the trigger" : cancelled.requestedBy())
        + (cancelled.reason() == null ? "" : ": " + cancelled.reason());
    Future<Boolean> withdrawn = reconciler.cancel(cancelled.service(), cancelled.deploymentId(), reason);
    return withdrawn.map(w -> {
      if (w) {
        Logs.withDeployment(cancelled.deploymentId(), () ->
            LOG.info("deployment {}: cancelled while waiting ({})", cancelled.deploymentId(), reason));
      } else {
        Logs.withDeployment(cancelled.deploymentId(), () ->
            LOG.info("deployment {}: cancellation verified, but the deployment does not wait here (it runs, ended or "
            + "was never admitted); nothing withdrawn", cancelled.deploymentId()));
      }
      return null;
    });
  }

  /** Verified, meant for this host and a service it manages: the block is lifted (see {@link Reconciler#unblock}). */
  private Future<Void> unblock(String key, byte[] value, VersionUnblocked unblock, java.util.Map<String, String> origin) {
    String rejection = verifier.rejection(unblock);
    if (rejection != null) {
      LOG.warn("unblock {}: rejected ({}); sent to the dead-letter topic", unblock.deploymentId(), rejection);
      return deadLetters.send(key, value, rejection, origin);
    }
    if (!unblock.target().matches(config.environment(), config.hostId(), config.labels())
        || !unblock.environment().equals(config.environment()) || !config.services().containsKey(unblock.service())) {
      LOG.debug("unblock {}: not meant for this host or service", unblock.deploymentId());
      return Future.succeededFuture();
    }
    return reconciler.unblock(unblock);
  }

  private Future<Void> handle(String key, byte[] value, DeployRequested request, java.util.Map<String, String> origin) {
    String rejection = verifier.rejection(request);
    if (rejection != null) {
      Logs.withDeployment(request.deploymentId(), () ->
          LOG.warn("deployment {}: request rejected ({}); sent to the dead-letter topic", request.deploymentId(), rejection));
      return deadLetters.send(key, value, rejection, origin);
    }
    Decision decision = Admission.decide(request, config, state, reconciler.holds(request.deploymentId()), clock.instant(),
        fleet);
    DeployJob job = DeployJob.of(request, config.eventSource(),
        dev.stevedore.common.event.TraceContext.fromExtensions(codec.extensions(request)));
    if (decision instanceof Decision.Ignore ignore) {
      Logs.withDeployment(request.deploymentId(), () ->
          LOG.debug("deployment {}: ignored ({})", request.deploymentId(), ignore.why()));
      return Future.succeededFuture();
    }
    if (decision instanceof Decision.Duplicate dup) {
      Logs.withDeployment(request.deploymentId(), () ->
          LOG.info("deployment {}: {} (redelivery ignored)", request.deploymentId(), dup.why()));
      return Future.succeededFuture();
    }
    if (decision instanceof Decision.Skip skip) {
      return reconciler.skip(job, skip.reason());
    }
    if (decision instanceof Decision.AlreadyRuns) {
      return reconciler.alreadyRuns(job);
    }
    return reconciler.submit(job);
  }
}
