package dev.stevedore.trigger.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.trigger.TriggerConfig.Repository;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GitHubHooksTest {
  static final String SECRET = "s3cret";
  final GitHubHooks hooks = new GitHubHooks(SECRET,
      new BranchRules(List.of(new Repository("acme/web", List.of("web"), null, null))));

  static WebhookParsers.Request request(String event, String body, String signature) {
    Map<String, String> h = new java.util.HashMap<>();
    h.put("X-GitHub-Event", event);
    h.put("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958");
    if (signature != null) {
      h.put("X-Hub-Signature-256", signature);
    }
    return new WebhookParsers.Request(h::get, body.getBytes(StandardCharsets.UTF_8));
  }

  static String sign(String body) {
    return Hmac.header(SECRET, body.getBytes(StandardCharsets.UTF_8));
  }

  static final String PUSH = "{\"ref\":\"refs/heads/main\",\"after\":\"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c\","
      + "\"repository\":{\"full_name\":\"acme/web\"},\"pusher\":{\"name\":\"octocat\"}}";

  @Test
  void signedPushDeploys() {
    HookDecision d = hooks.decide(request("push", PUSH, sign(PUSH)));
    assertThat(d).isInstanceOf(HookDecision.Deploy.class);
    assertThat(((HookDecision.Deploy) d).intents().get(0).requestedBy()).isEqualTo("octocat");
  }

  @Test
  void signatureIsCheckedBeforeTheBodyIsRead() {
    String garbage = "{not json";
    assertThatThrownBy(() -> hooks.decide(request("push", garbage, sign("other"))))
        .isInstanceOf(HttpProblem.class).extracting(e -> ((HttpProblem) e).status()).isEqualTo(401);
    assertThatThrownBy(() -> hooks.decide(request("push", garbage, null)))
        .isInstanceOf(HttpProblem.class).extracting(e -> ((HttpProblem) e).status()).isEqualTo(401);
    assertThatThrownBy(() -> hooks.decide(request("push", garbage, sign(garbage))))
        .isInstanceOf(HttpProblem.class).extracting(e -> ((HttpProblem) e).status()).isEqualTo(400);
  }

  static WebhookParsers.Request form(String event, String form, String signature) {
    Map<String, String> h = new java.util.HashMap<>();
    h.put("X-GitHub-Event", event);
    h.put("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958");
    h.put("Content-Type", "application/x-www-form-urlencoded");
    h.put("X-Hub-Signature-256", signature);
    return new WebhookParsers.Request(h::get, form.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void aFormEncodedDeliveryIsReadFromItsPayloadField() {
    String form = "payload=" + java.net.URLEncoder.encode(PUSH, StandardCharsets.UTF_8);
    HookDecision d = hooks.decide(form("push", form, sign(form)));
    assertThat(d).isInstanceOf(HookDecision.Deploy.class);
    assertThat(((HookDecision.Deploy) d).intents().get(0).version()).isEqualTo("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
  }

  @Test
  void aFormWithOtherFieldsOrBadEncodingIsRefused() {
    for (String bad : List.of("payload=%7B%7D&x=1", "other=%7B%7D", "payload=%ZZ", "payload=%7B")) {
      assertThatThrownBy(() -> hooks.decide(form("push", bad, sign(bad))))
          .as(bad).isInstanceOf(HttpProblem.class).extracting(e -> ((HttpProblem) e).status()).isEqualTo(400);
    }
    // the signature is checked first, over the bytes sent
    String good = "payload=" + java.net.URLEncoder.encode(PUSH, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> hooks.decide(form("push", good, sign(PUSH))))
        .isInstanceOf(HttpProblem.class).extracting(e -> ((HttpProblem) e).status()).isEqualTo(401);
  }

  @Test
  void upperCaseHexSignatureIsAccepted() {
    String upper = "sha256=" + sign(PUSH).substring(7).toUpperCase();
    assertThat(hooks.decide(request("push", PUSH, upper))).isInstanceOf(HookDecision.Deploy.class);
  }

  @Test
  void pingAndOtherEvents() {
    assertThat(hooks.decide(request("ping", "{\"zen\":\"x\"}", sign("{\"zen\":\"x\"}")))).isInstanceOf(HookDecision.Pong.class);
    assertThat(hooks.decide(request("star", "{}", sign("{}")))).isInstanceOf(HookDecision.Ignore.class);
    String queued = "{\"action\":\"requested\",\"workflow_run\":{\"conclusion\":null}}";
    assertThat(hooks.decide(request("workflow_run", queued, sign(queued)))).isInstanceOf(HookDecision.Ignore.class);
    String deleted = "{\"action\":\"deleted\"}";
    assertThat(hooks.decide(request("registry_package", deleted, sign(deleted)))).isInstanceOf(HookDecision.Ignore.class);
  }

  @Test
  void aSignedBodyResentUnderANewDeliveryIdIsTheSameDeployment() {
    Map<String, String> h = new java.util.HashMap<>();
    h.put("X-GitHub-Event", "push");
    h.put("X-Hub-Signature-256", sign(PUSH));
    h.put("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958");
    HookDecision first = hooks.decide(new WebhookParsers.Request(h::get, PUSH.getBytes(StandardCharsets.UTF_8)));
    h.put("X-GitHub-Delivery", "ffffffff-cc78-11e3-81ab-4c9367dc0958");
    HookDecision replay = hooks.decide(new WebhookParsers.Request(h::get, PUSH.getBytes(StandardCharsets.UTF_8)));
    assertThat(((HookDecision.Deploy) replay).intents().get(0).deploymentId())
        .isEqualTo(((HookDecision.Deploy) first).intents().get(0).deploymentId());
    // Different signed bytes are a different deployment.
    String other = PUSH.replace("0d1a26e6", "1d1a26e6");
    HookDecision next = hooks.decide(request("push", other, sign(other)));
    assertThat(((HookDecision.Deploy) next).intents().get(0).deploymentId())
        .isNotEqualTo(((HookDecision.Deploy) first).intents().get(0).deploymentId());
  }

  static final String RUN = "{\"action\":\"completed\",\"workflow_run\":{\"name\":\"Build\","
      + "\"path\":\".github/workflows/build.yml@main\",\"event\":\"push\",\"conclusion\":\"success\","
      + "\"head_branch\":\"main\",\"head_sha\":\"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c\","
      + "\"head_repository\":{\"full_name\":\"acme/web\"}},\"repository\":{\"full_name\":\"acme/web\"},"
      + "\"sender\":{\"login\":\"octocat\"}}";

  HookDecision run(GitHubHooks hooks, String body) {
    return hooks.decide(request("workflow_run", body, sign(body)));
  }

  @Test
  void aWorkflowRunOfAPushToTheRepositoryItselfDeploys() {
    assertThat(run(hooks, RUN)).isInstanceOf(HookDecision.Deploy.class);
  }

  @Test
  void aWorkflowRunOfAForksPullRequestNamedMainIsIgnored() {
    String forkPr = RUN.replace("\"event\":\"push\"", "\"event\":\"pull_request\"")
        .replace("\"head_repository\":{\"full_name\":\"acme/web\"}", "\"head_repository\":{\"full_name\":\"evil/web\"}");
    assertThat(run(hooks, forkPr)).isInstanceOf(HookDecision.Ignore.class);
    String prEvent = RUN.replace("\"event\":\"push\"", "\"event\":\"pull_request\"");
    assertThat(((HookDecision.Ignore) run(hooks, prEvent)).reason()).contains("pull_request");
    String forkHead = RUN.replace("\"head_repository\":{\"full_name\":\"acme/web\"}",
        "\"head_repository\":{\"full_name\":\"evil/web\"}");
    assertThat(((HookDecision.Ignore) run(hooks, forkHead)).reason()).contains("evil/web");
    String noHead = RUN.replace(",\"head_repository\":{\"full_name\":\"acme/web\"}", "");
    assertThat(run(hooks, noHead)).isInstanceOf(HookDecision.Ignore.class);
  }

  @Test
  void onlyTheConfiguredWorkflowsDeploy() {
    GitHubHooks named = new GitHubHooks(SECRET, new BranchRules(List.of(new Repository("acme/web", List.of("web"),
        null, null))), List.of("Build"));
    GitHubHooks byFile = new GitHubHooks(SECRET, new BranchRules(List.of(new Repository("acme/web", List.of("web"),
        null, null))), List.of(".github/workflows/build.yml"));
    String lint = RUN.replace("\"name\":\"Build\"", "\"name\":\"Lint\"").replace("build.yml", "lint.yml");
    assertThat(run(named, RUN)).isInstanceOf(HookDecision.Deploy.class);
    assertThat(run(byFile, RUN)).isInstanceOf(HookDecision.Deploy.class);
    assertThat(((HookDecision.Ignore) run(named, lint)).reason()).contains("Lint");
    assertThat(run(byFile, lint)).isInstanceOf(HookDecision.Ignore.class);
  }
}
