package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.AgentHeartbeat;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.event.VersionBlocked;
import dev.stevedore.common.event.VersionUnblocked;
import dev.stevedore.common.security.EventVerifier;
import dev.stevedore.common.security.RequestVerifier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What of the events, heartbeats and blocklist topics reaches the coordinator and the blocklist:
 * outcomes and heartbeats only when they verify against the trusted key of the host they name (when
 * agent keys are configured, as for the history); blocks and unblocks only when signed with the
 * trigger's own keys. The rest is logged and dropped.
 */
public final class FleetFeed implements Consumer<StevedoreEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(FleetFeed.class);

  private final EventVerifier agentKeys;
  private final RequestVerifier ownKeys;
  private final Blocklist blocklist;
  private final Consumer<StevedoreEvent> coordinator;

  public FleetFeed(EventVerifier agentKeys, RequestVerifier ownKeys, Blocklist blocklist,
      Consumer<StevedoreEvent> coordinator) {
    this.agentKeys = agentKeys;
    this.ownKeys = ownKeys;
    this.blocklist = blocklist;
    this.coordinator = coordinator;
  }

  @Override
  public void accept(StevedoreEvent event) {
    if (event instanceof Outcome || event instanceof AgentHeartbeat) {
      EventVerifier.Verdict verdict = agentKeys.verify(event);
      if (!verdict.verified()) {
        LOG.warn("rollouts: ignoring unverified {} ({}): {}", event.type().typeName(), event.subject(),
            verdict.reason());
        return;
      }
      coordinator.accept(event);
    } else if (event instanceof VersionBlocked b) {
      String rejection = ownKeys.rejection(b);
      if (rejection != null) {
        LOG.warn("blocklist: ignoring version.blocked {}: {}", b.blocklistKey(), rejection);
        return;
      }
      blocklist.blocked(b);
    } else if (event instanceof VersionUnblocked u) {
      String rejection = ownKeys.rejection(u);
      if (rejection != null) {
        LOG.warn("blocklist: ignoring version.unblocked of {}/{}/{}: {}", u.environment(), u.service(), u.version(),
            rejection);
        return;
      }
      blocklist.unblocked(u);
    }
  }
}
