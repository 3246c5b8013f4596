package dev.stevedore.trigger.history;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.security.RequestVerifier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what of the topics reaches {@link DeploymentHistory}: requests only when their
 * signature verifies against the trigger's own public keys (anyone who may write to the requests
 * topic could otherwise make a deployment id known, and answer a later real request
 * {@code duplicate: true}); outcomes as they are, since the history counts one only when it
 * matches a verified request.
 */
public final class HistoryFeed implements Consumer<StevedoreEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(HistoryFeed.class);

  private final DeploymentHistory history;
  private final RequestVerifier ownKeys;

  public HistoryFeed(DeploymentHistory history, RequestVerifier ownKeys) {
    this.history = history;
    this.ownKeys = ownKeys;
  }

  @Override
  public void accept(StevedoreEvent event) {
    if (event instanceof DeployRequested r) {
      String rejection = ownKeys.rejection(r);
      if (rejection != null) {
        LOG.warn("history: ignoring deploy.requested {} for {}/{}: {}", r.deploymentId(), r.environment(),
            r.service(), rejection);
        return;
      }
      history.requested(r);
    } else if (event instanceof Outcome o) {
      history.outcome(o);
    }
  }
}
