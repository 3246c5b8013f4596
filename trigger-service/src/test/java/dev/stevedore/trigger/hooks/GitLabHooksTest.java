package dev.stevedore.trigger.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.trigger.TriggerConfig.Repository;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GitLabHooksTest {
  final GitLabHooks hooks = new GitLabHooks("tok",
      new BranchRules(List.of(new Repository("group/app", List.of("app"), null, null))));

  static WebhookParsers.Request request(String event, String token, String body) {
    Map<String, String> h = new HashMap<>();
    h.put("X-Gitlab-Event", event);
    h.put("X-Gitlab-Event-UUID", "13792a34-cac6-4fda-95a8-c58e00a3954e");
    if (token != null) {
      h.put("X-Gitlab-Token", token);
    }
    return new WebhookParsers.Request(h::get, body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void wrongOrMissingTokenIs401() {
    assertThatThrownBy(() -> hooks.decide(request("Push Hook", "tok2", "{}")))
        .isInstanceOf(HttpProblem.class).extracting(e -> ((HttpProblem) e).status()).isEqualTo(401);
    assertThatThrownBy(() -> hooks.decide(request("Push Hook", null, "{}")))
        .isInstanceOf(HttpProblem.class).extracting(e -> ((HttpProblem) e).status()).isEqualTo(401);
  }

  @Test
  void branchDeletionIsIgnored() {
    String body = "{\"ref\":\"refs/heads/main\",\"after\":\"0000000000000000000000000000000000000000\","
        + "\"checkout_sha\":null,\"project\":{\"path_with_namespace\":\"group/app\"}}";
    assertThat(hooks.decide(request("Push Hook", "tok", body))).isInstanceOf(HookDecision.Ignore.class);
  }

  @Test
  void pipelineOnATagUsesTagRules() {
    String body = "{\"object_attributes\":{\"status\":\"success\",\"ref\":\"main\",\"tag\":true,"
        + "\"sha\":\"bcbb5ec396a2c0f828686f14fac9b80b780504f2\"},\"project\":{\"path_with_namespace\":\"group/app\"}}";
    // "main" as a tag does not match the default branch rules.
    assertThat(hooks.decide(request("Pipeline Hook", "tok", body))).isInstanceOf(HookDecision.Ignore.class);
  }

  @Test
  void pushToMainDeploys() {
    String body = "{\"ref\":\"refs/heads/main\",\"after\":\"da1560886d4f094c3e6c9ef40349f7d38b5d27d7\","
        + "\"checkout_sha\":\"da1560886d4f094c3e6c9ef40349f7d38b5d27d7\",\"user_username\":\"jsmith\","
        + "\"project\":{\"path_with_namespace\":\"group/app\"}}";
    HookDecision d = hooks.decide(request("Push Hook", "tok", body));
    assertThat(((HookDecision.Deploy) d).intents().get(0).requestedBy()).isEqualTo("jsmith");
  }

  @Test
  void theSameBodyUnderANewEventUuidIsTheSameDeployment() {
    String body = "{\"ref\":\"refs/heads/main\",\"after\":\"da1560886d4f094c3e6c9ef40349f7d38b5d27d7\","
        + "\"checkout_sha\":\"da1560886d4f094c3e6c9ef40349f7d38b5d27d7\",\"project\":{\"path_with_namespace\":\"group/app\"}}";
    Map<String, String> h = new HashMap<>();
    h.put("X-Gitlab-Event", "Push Hook");
    h.put("X-Gitlab-Token", "tok");
    h.put("X-Gitlab-Event-UUID", "13792a34-cac6-4fda-95a8-c58e00a3954e");
    HookDecision first = hooks.decide(new WebhookParsers.Request(h::get, body.getBytes(StandardCharsets.UTF_8)));
    h.put("X-Gitlab-Event-UUID", "ffffffff-cac6-4fda-95a8-c58e00a3954e");
    HookDecision replay = hooks.decide(new WebhookParsers.Request(h::get, body.getBytes(StandardCharsets.UTF_8)));
    assertThat(((HookDecision.Deploy) replay).intents().get(0).deploymentId())
        .isEqualTo(((HookDecision.Deploy) first).intents().get(0).deploymentId());
  }
}
