package dev.stevedore.agent.deploy;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.DriverKind;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.state.AgentState;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.VersionBlocked;
import dev.stevedore.common.event.Versions;
import java.time.Instant;

/**
 * Decides what the agent does with a verified request, before anything runs: a pure function of
 * the request, the config and the durable state.
 */
public final class Admission {
  /** Requests made this long before a fresh agent's first start still count (clock skew, start-up order). */
  static final java.time.Duration JOIN_GRACE = java.time.Duration.ofMinutes(1);

  private Admission() {}

  /** What to do with a request. */
  public sealed interface Decision {
    /** Not meant for this host (another environment, host list or labels): commit and move on. */
    record Ignore(String why) implements Decision {}

    /** Already finished here (a redelivery): its terminal event exists; commit and move on. */
    record Duplicate(String why) implements Decision {}

    /** Meant for this host but refused: publish {@code deploy.skipped} with the reason. */
    record Skip(String reason) implements Decision {}

    /** The version already runs here and nothing is under way: a no-op that says so. */
    record AlreadyRuns() implements Decision {}

    record Accept() implements Decision {}
  }

  /**
   * @param inFlight whether this deployment is already the service's desired version or running here
   * @param now the agent's clock (blocks end)
   */
  public static Decision decide(DeployRequested request, AgentConfig config, AgentState state, boolean inFlight,
      Instant now) {
    return decide(request, config, state, inFlight, now, FleetBlocks.none());
  }

  /**
   * @param fleet the fleet-wide blocks (the trigger's signed blocklist): a blocked version is
   *     refused like one blocked on this host; a rollback request still passes
   */
  public static Decision decide(DeployRequested request, AgentConfig config, AgentState state, boolean inFlight,
      Instant now, FleetBlocks fleet) {
    if (!request.target().matches(config.environment(), config.hostId(), config.labels())) {
      return new Decision.Ignore("target does not match this host");
    }
    if (!request.environment().equals(config.environment())) {
      return new Decision.Ignore("environment " + request.environment() + " is not this host's");
    }
    ServiceConfig service = config.services().get(request.service());
    if (service == null) {
      return request.target().hosts().contains(config.hostId())
          ? new Decision.Skip("service " + request.service() + " is not managed by this agent")
          : new Decision.Ignore("service " + request.service() + " is not managed here");
    }
    if (state.processed(request.deploymentId()) || inFlight) {
      return new Decision.Duplicate("deployment " + request.deploymentId() + " already handled here");
    }
    if (!Versions.isValid(request.version())) {
      return new Decision.Skip("rejected: version must be a tag matching ^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$ or a sha256: digest");
    }
    if (Versions.isDigest(request.version()) && (service.driver() == DriverKind.GIT || service.imageVariable() == null)) {
      return new Decision.Skip("rejected: a sha256: version needs imageVariable and image in the service's config");
    }
    AgentState.ServiceRecord record = state.services.get(request.service());
    if ((record == null || record.appliedRequestTime == null) && state.joinedAt != null
        && request.time().isBefore(Instant.parse(state.joinedAt).minus(JOIN_GRACE))) {
      // A new host reads the retained history of the requests topic: deploying those old
      // versions one after another would roll the service back through its past.
      return new Decision.Ignore("request of " + request.time() + " predates this agent joining at " + state.joinedAt);
    }
    if (request.time().isAfter(now.plus(config.requests().maxClockSkew()))) {
      return new Decision.Skip("rejected: the request is dated " + request.time() + ", more than "
          + config.requests().maxClockSkew() + " ahead of this host's clock");
    }
    if (request.time().isBefore(now.minus(config.requests().maxAge()))) {
      return new Decision.Skip("rejected: the request of " + request.time() + " is older than "
          + config.requests().maxAge());
    }
    if (!"rollback".equals(request.trigger())) {
      VersionBlocked block = fleet.find(request.environment(), request.service(), request.version());
      if (block != null) {
        return new Decision.Skip(fleetBlockReason(block));
      }
    }
    if (record != null) {
      if (record.isBlocked(request.version(), now) && !"rollback".equals(request.trigger())) {
        return new Decision.Skip("version " + request.version() + " is blocked after a failed rollout on this host");
      }
      if (record.appliedRequestTime != null && request.time().isBefore(Instant.parse(record.appliedRequestTime))) {
        return new Decision.Skip("superseded by deployment " + record.appliedDeploymentId + " (a newer request already applied)");
      }
      if (!request.forced() && record.intent == null && record.current != null
          && request.version().equals(record.current.version)) {
        return new Decision.AlreadyRuns();
      }
    }
    return new Decision.Accept();
  }

  /** The {@code deploy.skipped} reason for a version blocked fleet-wide: what, since when, why, and how to lift it. */
  public static String fleetBlockReason(VersionBlocked block) {
    return "version " + block.version() + " of " + block.service() + " is blocked fleet-wide in " + block.environment()
        + " since " + block.time() + " (rollout " + block.rolloutId() + ": " + block.reason() + "); lift it with DELETE /api/v1/blocks/"
        + block.environment() + "/" + block.service() + "/" + block.version();
  }
}
