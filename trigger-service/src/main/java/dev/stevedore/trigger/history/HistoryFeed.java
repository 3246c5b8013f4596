package dev.stevedore.trigger.history;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.security.EventVerifier;
import dev.stevedore.common.security.RequestVerifier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what of the topics reaches {@link DeploymentHistory}: requests only when their
 * signature verifies against the trigger's own public keys (anyone who may write to the requests
 * topic could otherwise make a deployment id known, and answer a later real request
 * {@code duplicate: true}); outcomes only when they verify against the trusted agent key of
 * the host they name (when trusted agent keys are configured), and the history counts one only
 * when it also matches a verified request.
 */
public final class HistoryFeed implements Consumer<StevedoreEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(HistoryFeed.class);

  private final DeploymentHistory history;
  private final RequestVerifier ownKeys;
  private final EventVerifier agentKeys;
  private final SignedHere signedHere;

  public HistoryFeed(DeploymentHistory history, RequestVerifier ownKeys) {
    this(history, ownKeys, new EventVerifier(java.util.List.of(), new dev.stevedore.common.event.EventCodec()));
  }

  /** @param agentKeys the trusted agent keys: an outcome that does not verify is ignored (when any are configured) */
  public HistoryFeed(DeploymentHistory history, RequestVerifier ownKeys, EventVerifier agentKeys) {
    this(history, ownKeys, agentKeys, new SignedHere(1));
  }

  /**
   * @param signedHere the requests this process signed and published: one read back exactly as
   *     signed here is not verified a second time; every other request is
   */
  public HistoryFeed(DeploymentHistory history, RequestVerifier ownKeys, EventVerifier agentKeys,
      SignedHere signedHere) {
    this.history = history;
    this.ownKeys = ownKeys;
    this.agentKeys = agentKeys;
    this.signedHere = signedHere;
  }

  @Override
  public void accept(StevedoreEvent event) {
    if (event instanceof DeployRequested r) {
      String rejection = signedHere.vouches(r) ? null : ownKeys.rejection(r);
      if (rejection != null) {
        LOG.warn("history: ignoring deploy.requested {} for {}/{}: {}", r.deploymentId(), r.environment(),
            r.service(), rejection);
        return;
      }
      history.requested(r);
    } else if (event instanceof Outcome o) {
      EventVerifier.Verdict verdict = agentKeys.verify(o);
      if (!verdict.verified()) {
        LOG.warn("history: ignoring unverified {} {} from host {}: {}", o.type().typeName(), o.deploymentId(),
            o.host(), verdict.reason());
        return;
      }
      history.outcome(o);
    }
  }
}
