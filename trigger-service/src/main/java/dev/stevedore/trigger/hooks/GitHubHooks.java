package dev.stevedore.trigger.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.trigger.core.DeployIntent.Trigger;
import dev.stevedore.trigger.core.JsonBodies;
import dev.stevedore.trigger.core.Validation;
import java.util.List;

/**
 * GitHub webhooks: the HMAC-SHA256 of the raw body in {@code X-Hub-Signature-256} is checked before
 * anything is parsed. Handled: {@code ping}; {@code push} of a branch or tag; {@code workflow_run}
 * completed with conclusion success, caused by a push to the repository itself (not a fork's pull
 * request), of a workflow named in {@code github.workflows} (when set); {@code registry_package} published (a tag of the package).
 * Every other event or action is ignored with the reason. The deployment id comes from the signed
 * bytes ({@link DeliveryKeys}), not from {@code X-GitHub-Delivery}, which the signature does not cover.
 */
public final class GitHubHooks implements WebhookParsers.Provider {
  public static final String SIGNATURE = "X-Hub-Signature-256";
  public static final String EVENT = "X-GitHub-Event";
  public static final String DELIVERY = "X-GitHub-Delivery";

  private final String secret;
  private final BranchRules rules;
  private final List<String> workflows;

  public GitHubHooks(String secret, BranchRules rules) {
    this(secret, rules, List.of());
  }

  /** @param workflows names or file paths of the workflows whose runs may deploy (empty: any) */
  public GitHubHooks(String secret, BranchRules rules, List<String> workflows) {
    this.secret = secret;
    this.rules = rules;
    this.workflows = List.copyOf(workflows);
  }

  @Override
  public HookDecision decide(WebhookParsers.Request request) {
    String signature = request.headers().get(SIGNATURE);
    if (signature == null) {
      throw HttpProblem.unauthorized("missing " + SIGNATURE);
    }
    if (!Hmac.verifies(secret, signature, request.body())) {
      throw HttpProblem.unauthorized(SIGNATURE + " does not match the body");
    }
    if (Validation.deliveryId(DELIVERY, request.headers().get(DELIVERY)) == null) {
      throw HttpProblem.badRequest("missing " + DELIVERY);
    }
    // X-GitHub-Delivery is not covered by the HMAC: the key comes from the signed bytes (issue #12, 4).
    String delivery = DeliveryKeys.of("github", DeliveryKeys.ascii(signature.toLowerCase(java.util.Locale.ROOT)),
        request.body());
    String event = request.headers().get(EVENT);
    if (event == null) {
      throw HttpProblem.badRequest("missing " + EVENT);
    }
    JsonNode payload = JsonBodies.object(json(request));
    switch (event) {
      case "ping":
        return new HookDecision.Pong();
      case "push":
        return push(delivery, payload);
      case "workflow_run":
        return workflowRun(delivery, payload);
      case "registry_package":
        return registryPackage(delivery, payload);
      default:
        return HookDecision.ignore("GitHub event " + BranchRules.printable(event) + " is not handled");
    }
  }

  /**
   * The JSON of a delivery: the body itself, or, for GitHub's default content type
   * {@code application/x-www-form-urlencoded}, the value of its one field {@code payload}. Called
   * after the signature check: the HMAC covers the raw (form) bytes.
   */
  static byte[] json(WebhookParsers.Request request) {
    String type = request.headers().get("Content-Type");
    String base = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    if (!base.equals("application/x-www-form-urlencoded")) {
      return request.body();
    }
    String form = new String(request.body(), java.nio.charset.StandardCharsets.US_ASCII);
    if (!form.startsWith("payload=") || form.indexOf('&') >= 0) {
      throw HttpProblem.badRequest("a form-encoded delivery must have exactly one field, payload");
    }
    try {
      return java.net.URLDecoder.decode(form.substring("payload=".length()), java.nio.charset.StandardCharsets.UTF_8)
          .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw HttpProblem.badRequest("payload is not form-encoded: " + e.getMessage());
    }
  }

  private HookDecision push(String delivery, JsonNode p) {
    if (p.path("deleted").asBoolean(false)) {
      return HookDecision.ignore("push deletes " + BranchRules.printable(JsonBodies.at(p, "/ref")));
    }
    RefEvent ref = RefEvent.fromRef(Trigger.GITHUB, "push", delivery, JsonBodies.at(p, "/repository/full_name"),
        JsonBodies.at(p, "/ref"), JsonBodies.at(p, "/after"), actor(p, "/pusher/name"), p);
    if (ref == null) {
      return HookDecision.ignore("push of an unknown kind of ref");
    }
    return rules.decide(ref);
  }

  private HookDecision workflowRun(String delivery, JsonNode p) {
    String action = JsonBodies.at(p, "/action");
    String conclusion = JsonBodies.at(p, "/workflow_run/conclusion");
    if (!"completed".equals(action) || !"success".equals(conclusion)) {
      return HookDecision.ignore("workflow_run " + BranchRules.printable(action) + " with conclusion "
          + BranchRules.printable(conclusion) + " (only completed/success deploys)");
    }
    // A fork's pull request runs workflows too, and may name its branch main: only a run caused by a
    // push to the repository itself counts, and only of a workflow allowed to deploy.
    String trigger = JsonBodies.at(p, "/workflow_run/event");
    if (!"push".equals(trigger)) {
      return HookDecision.ignore("workflow_run caused by " + BranchRules.printable(trigger) + " (only push deploys)");
    }
    String repository = JsonBodies.at(p, "/repository/full_name");
    String headRepository = JsonBodies.at(p, "/workflow_run/head_repository/full_name");
    if (repository == null || !repository.equals(headRepository)) {
      return HookDecision.ignore("workflow_run of head repository " + BranchRules.printable(headRepository)
          + ", not " + BranchRules.printable(repository) + " itself (a fork)");
    }
    String name = JsonBodies.at(p, "/workflow_run/name");
    String path = JsonBodies.at(p, "/workflow_run/path");
    String file = path == null ? null : path.split("@", 2)[0];
    if (!workflows.isEmpty() && !workflows.contains(name) && !workflows.contains(file)) {
      return HookDecision.ignore("workflow " + BranchRules.printable(name) + " may not deploy (github.workflows)");
    }
    String branch = JsonBodies.at(p, "/workflow_run/head_branch");
    if (branch == null) {
      return HookDecision.ignore("workflow_run without head_branch");
    }
    return rules.decide(new RefEvent(Trigger.GITHUB, "workflow_run", delivery, JsonBodies.at(p, "/repository/full_name"),
        RefEvent.Kind.BRANCH, branch, JsonBodies.at(p, "/workflow_run/head_sha"), actor(p, "/sender/login"), p));
  }

  private HookDecision registryPackage(String delivery, JsonNode p) {
    String action = JsonBodies.at(p, "/action");
    if (!"published".equals(action)) {
      return HookDecision.ignore("registry_package " + BranchRules.printable(action) + " (only published deploys)");
    }
    String tag = JsonBodies.at(p, "/registry_package/package_version/container_metadata/tag/name");
    if (tag == null || tag.isEmpty()) {
      return HookDecision.ignore("registry_package published without a tag");
    }
    return rules.decide(new RefEvent(Trigger.GITHUB, "registry_package", delivery, JsonBodies.at(p, "/repository/full_name"),
        RefEvent.Kind.TAG, tag, null, actor(p, "/sender/login"), p));
  }

  private static String actor(JsonNode p, String pointer) {
    String a = JsonBodies.at(p, pointer);
    return a == null ? JsonBodies.at(p, "/sender/login") : a;
  }
}
