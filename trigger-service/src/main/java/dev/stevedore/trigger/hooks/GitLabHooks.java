package dev.stevedore.trigger.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.common.security.Secrets;
import dev.stevedore.trigger.core.DeployIntent.Trigger;
import dev.stevedore.trigger.core.JsonBodies;
import dev.stevedore.trigger.core.Validation;

/**
 * GitLab webhooks: {@code X-Gitlab-Token} compared in constant time; the deployment id
 * comes from the event name and the raw body ({@link DeliveryKeys}), not {@code X-Gitlab-Event-UUID}. Handled: Push Hook, Tag Push Hook, Pipeline Hook with status success. Deletions and
 * other events are ignored with the reason.
 */
public final class GitLabHooks implements WebhookParsers.Provider {
  public static final String TOKEN = "X-Gitlab-Token";
  public static final String EVENT = "X-Gitlab-Event";
  public static final String DELIVERY = "X-Gitlab-Event-UUID";
  private static final String NO_COMMIT = "0000000000000000000000000000000000000000";

  private final String token;
  private final BranchRules rules;

  public GitLabHooks(String token, BranchRules rules) {
    this.token = token;
    this.rules = rules;
  }

  @Override
  public HookDecision decide(WebhookParsers.Request request) {
    String given = request.headers().get(TOKEN);
    if (given == null) {
      throw HttpProblem.unauthorized("missing " + TOKEN);
    }
    if (!Secrets.constantTimeEquals(token, given)) {
      throw HttpProblem.unauthorized(TOKEN + " is wrong");
    }
    if (Validation.deliveryId(DELIVERY, request.headers().get(DELIVERY)) == null) {
      throw HttpProblem.badRequest("missing " + DELIVERY);
    }
    String event = request.headers().get(EVENT);
    if (event == null) {
      throw HttpProblem.badRequest("missing " + EVENT);
    }
    // The token authenticates the request, not X-Gitlab-Event-UUID: the key comes from the body.
    String delivery = DeliveryKeys.of("gitlab", DeliveryKeys.ascii(event), request.body());
    JsonNode p = JsonBodies.object(request.body());
    switch (event) {
      case "Push Hook":
      case "Tag Push Hook":
        return push(event, delivery, p);
      case "Pipeline Hook":
        return pipeline(delivery, p);
      default:
        return HookDecision.ignore("GitLab event " + BranchRules.printable(event) + " is not handled");
    }
  }

  private HookDecision push(String event, String delivery, JsonNode p) {
    String commit = JsonBodies.at(p, "/checkout_sha");
    if (commit == null || NO_COMMIT.equals(JsonBodies.at(p, "/after"))) {
      return HookDecision.ignore(event + " deletes " + BranchRules.printable(JsonBodies.at(p, "/ref")));
    }
    String name = "Push Hook".equals(event) ? "push" : "tag_push";
    RefEvent ref = RefEvent.fromRef(Trigger.GITLAB, name, delivery, JsonBodies.at(p, "/project/path_with_namespace"),
        JsonBodies.at(p, "/ref"), commit, JsonBodies.at(p, "/user_username"), p);
    if (ref == null) {
      return HookDecision.ignore(event + " of an unknown kind of ref");
    }
    return rules.decide(ref);
  }

  private HookDecision pipeline(String delivery, JsonNode p) {
    String status = JsonBodies.at(p, "/object_attributes/status");
    if (!"success".equals(status)) {
      return HookDecision.ignore("pipeline with status " + BranchRules.printable(status) + " (only success deploys)");
    }
    String ref = JsonBodies.at(p, "/object_attributes/ref");
    if (ref == null) {
      return HookDecision.ignore("pipeline without ref");
    }
    boolean tag = p.at("/object_attributes/tag").asBoolean(false);
    return rules.decide(new RefEvent(Trigger.GITLAB, "pipeline", delivery, JsonBodies.at(p, "/project/path_with_namespace"),
        tag ? RefEvent.Kind.TAG : RefEvent.Kind.BRANCH, ref, JsonBodies.at(p, "/object_attributes/sha"),
        JsonBodies.at(p, "/user/username"), p));
  }
}
