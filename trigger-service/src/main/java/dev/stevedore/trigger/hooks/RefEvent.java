package dev.stevedore.trigger.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.trigger.core.DeployIntent.Trigger;

/**
 * A CI event reduced to what branch rules need: which repository, a branch or a tag, which commit,
 * who caused it, and the whole payload (for {@code versionFrom: field}).
 *
 * @param provider GITHUB or GITLAB (its word is the source part of the deployment id)
 * @param event the provider's event name, for messages (push, workflow_run, pipeline...)
 */
public record RefEvent(
    Trigger provider,
    String event,
    String deliveryId,
    String repository,
    Kind kind,
    String ref,
    String commit,
    String actor,
    JsonNode payload) {

  public enum Kind { BRANCH, TAG }

  /** {@code refs/heads/x} is branch x, {@code refs/tags/y} tag y; anything else null. */
  public static RefEvent fromRef(Trigger provider, String event, String deliveryId, String repository, String fullRef,
      String commit, String actor, JsonNode payload) {
    if (fullRef == null) {
      return null;
    }
    if (fullRef.startsWith("refs/heads/")) {
      return new RefEvent(provider, event, deliveryId, repository, Kind.BRANCH, fullRef.substring(11), commit, actor,
          payload);
    }
    if (fullRef.startsWith("refs/tags/")) {
      return new RefEvent(provider, event, deliveryId, repository, Kind.TAG, fullRef.substring(10), commit, actor,
          payload);
    }
    return null;
  }
}
