package dev.stevedore.trigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.security.RequestVerifier;
import dev.stevedore.trigger.hooks.DeliveryKeys;
import dev.stevedore.trigger.hooks.Hmac;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GitHub and GitLab webhooks with the providers' own payload shapes, on real Kafka. */
class ProvidersIT {
  @TempDir static Path dir;
  static String bootstrap;
  static TestTrigger trigger;
  static RequestVerifier verifier;

  @BeforeAll
  static void start() throws Exception {
    bootstrap = TestKafka.shared().getBootstrapServers();
    trigger = TestTrigger.start(TestTrigger.config(bootstrap, dir));
    verifier = new RequestVerifier(List.of(trigger.running.publicKey()), new EventCodec());
  }

  @AfterAll
  static void stop() throws Exception {
    if (trigger != null) {
      trigger.close();
    }
  }

  /**
   * The payload made unique by {@code nonce} (a field no parser reads): the deployment id comes from
   * the signed bytes, so tests sharing one trigger must not send the same body unless they mean to.
   */
  private static byte[] body(String payload, String nonce) throws Exception {
    String json = new String(TestTrigger.payload(payload), StandardCharsets.UTF_8);
    return json.replaceFirst("\\{", "{\"stevedore_test_nonce\":\"" + nonce + "\",").getBytes(StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> github(String event, String payload, String delivery) throws Exception {
    return github(event, payload, delivery, delivery);
  }

  private static HttpResponse<String> github(String event, String payload, String nonce, String delivery)
      throws Exception {
    byte[] body = body(payload, nonce);
    return trigger.post("/hooks/github", "application/json", body, Map.of(
        "X-GitHub-Event", event, "X-GitHub-Delivery", delivery,
        "X-Hub-Signature-256", Hmac.header(TestTrigger.GITHUB_SECRET, body)));
  }

  /** The delivery key of {@link #github}: from the signature and the body. */
  private static String githubKey(String payload, String nonce) throws Exception {
    byte[] body = body(payload, nonce);
    return DeliveryKeys.of("github", Hmac.header(TestTrigger.GITHUB_SECRET, body).getBytes(StandardCharsets.UTF_8), body);
  }

  private static HttpResponse<String> gitlab(String event, String payload, String delivery) throws Exception {
    return gitlab(event, payload, delivery, delivery);
  }

  private static HttpResponse<String> gitlab(String event, String payload, String nonce, String delivery)
      throws Exception {
    return trigger.post("/hooks/gitlab", "application/json", body(payload, nonce), Map.of(
        "X-Gitlab-Event", event, "X-Gitlab-Event-UUID", delivery, "X-Gitlab-Token", TestTrigger.GITLAB_TOKEN));
  }

  private static List<DeployRequested> published(String deploymentId) {
    return RequestsTopic.requests(bootstrap).stream().filter(r -> r.deploymentId().equals(deploymentId))
        .collect(Collectors.toList());
  }

  private static DeployRequested onlyOne(String deploymentId) {
    List<DeployRequested> found = published(deploymentId);
    assertThat(found).hasSize(1);
    assertThat(verifier.rejection(found.get(0))).isNull();
    return found.get(0);
  }

  @Test
  void githubPingIsAnswered() throws Exception {
    HttpResponse<String> r = github("ping", "github-ping.json", UUID.randomUUID().toString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getBoolean("pong")).isTrue();
  }

  @Test
  void githubPushToMainDeploysTheCommitByDefault() throws Exception {
    String delivery = UUID.randomUUID().toString();
    HttpResponse<String> r = github("push", "github-push.json", delivery);
    assertThat(r.statusCode()).isEqualTo(202);
    String id = new JsonObject(r.body()).getString("deploymentId");
    assertThat(id).isEqualTo(DeploymentIds.of("github", githubKey("github-push.json", delivery) + "/production/web"));
    DeployRequested req = onlyOne(id);
    assertThat(req.trigger()).isEqualTo("github");
    assertThat(req.service()).isEqualTo("web");
    assertThat(req.environment()).isEqualTo("production");
    assertThat(req.version()).isEqualTo("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
    assertThat(req.commit()).isEqualTo("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
    assertThat(req.branch()).isEqualTo("main");
    assertThat(req.repository()).isEqualTo("acme/web");
    assertThat(req.requestedBy()).isEqualTo("octocat");
  }

  /** GitHub's default content type: the JSON form-encoded in {@code payload}, signed as sent. */
  @Test
  void githubFormEncodedPushDeploysLikeItsJson() throws Exception {
    String delivery = UUID.randomUUID().toString();
    byte[] form = ("payload=" + java.net.URLEncoder.encode(new String(body("github-push.json", delivery),
        StandardCharsets.UTF_8), StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII);
    HttpResponse<String> r = trigger.post("/hooks/github", "application/x-www-form-urlencoded", form, Map.of(
        "X-GitHub-Event", "push", "X-GitHub-Delivery", delivery,
        "X-Hub-Signature-256", Hmac.header(TestTrigger.GITHUB_SECRET, form)));
    assertThat(r.statusCode()).isEqualTo(202);
    DeployRequested req = onlyOne(new JsonObject(r.body()).getString("deploymentId"));
    assertThat(req.version()).isEqualTo("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
    assertThat(req.service()).isEqualTo("web");

    // Signed over the JSON but sent as a form: the HMAC covers the bytes sent, so 401.
    byte[] json = body("github-push.json", delivery + "-json");
    byte[] asForm = ("payload=" + java.net.URLEncoder.encode(new String(json, StandardCharsets.UTF_8),
        StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII);
    assertThat(trigger.post("/hooks/github", "application/x-www-form-urlencoded", asForm, Map.of(
        "X-GitHub-Event", "push", "X-GitHub-Delivery", delivery,
        "X-Hub-Signature-256", Hmac.header(TestTrigger.GITHUB_SECRET, json))).statusCode()).isEqualTo(401);
    // GitLab sends JSON only.
    assertThat(trigger.post("/hooks/gitlab", "application/x-www-form-urlencoded", asForm, Map.of(
        "X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", TestTrigger.GITLAB_TOKEN)).statusCode()).isEqualTo(415);
  }

  @Test
  void githubRedeliveryIsTheSameDeploymentAndADuplicate() throws Exception {
    String delivery = UUID.randomUUID().toString();
    HttpResponse<String> first = github("push", "github-push.json", delivery);
    HttpResponse<String> again = github("push", "github-push.json", delivery);
    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(again.statusCode()).isEqualTo(202);
    JsonObject a = new JsonObject(first.body());
    JsonObject b = new JsonObject(again.body());
    assertThat(b.getString("deploymentId")).isEqualTo(a.getString("deploymentId"));
    assertThat(a.getBoolean("duplicate")).isFalse();
    assertThat(b.getBoolean("duplicate")).isTrue();
    assertThat(published(a.getString("deploymentId"))).hasSize(1);
  }

  @Test
  void aCapturedGithubBodyResentUnderANewDeliveryIdIsADuplicateNotPublishedAgain() throws Exception {
    String nonce = UUID.randomUUID().toString();
    HttpResponse<String> first = github("push", "github-push.json", nonce, UUID.randomUUID().toString());
    HttpResponse<String> replay = github("push", "github-push.json", nonce, UUID.randomUUID().toString());
    JsonObject a = new JsonObject(first.body());
    JsonObject b = new JsonObject(replay.body());
    assertThat(b.getString("deploymentId")).isEqualTo(a.getString("deploymentId"));
    assertThat(a.getBoolean("duplicate")).isFalse();
    assertThat(b.getBoolean("duplicate")).isTrue();
    assertThat(published(a.getString("deploymentId"))).hasSize(1);
  }

  @Test
  void aGitlabBodyResentUnderANewEventUuidIsADuplicate() throws Exception {
    String nonce = UUID.randomUUID().toString();
    gitlab("Push Hook", "gitlab-push.json", nonce, UUID.randomUUID().toString());
    HttpResponse<String> again = gitlab("Push Hook", "gitlab-push.json", nonce, UUID.randomUUID().toString());
    assertThat(new JsonObject(again.body()).getBoolean("duplicate")).isTrue();
    assertThat(published(new JsonObject(again.body()).getString("deploymentId"))).hasSize(1);
  }

  @Test
  void aSignedGenericRequestReplayedWithANewDeliveryHeaderIsADuplicate() throws Exception {
    byte[] body = "{\"service\":\"replay-svc\",\"environment\":\"staging\",\"version\":\"v3\"}".getBytes();
    String ts = String.valueOf(System.currentTimeMillis() / 1000);
    String sig = Hmac.header(TestTrigger.HMAC_SECRET, ts.getBytes(), ".".getBytes(), body);
    HttpResponse<String> first = trigger.post("/hooks/generic/" + TestTrigger.SIGNED_TOKEN, "application/json", body,
        Map.of("X-Stevedore-Timestamp", ts, "X-Stevedore-Signature", sig, "X-Stevedore-Delivery", "d-1"));
    HttpResponse<String> replay = trigger.post("/hooks/generic/" + TestTrigger.SIGNED_TOKEN, "application/json", body,
        Map.of("X-Stevedore-Timestamp", ts, "X-Stevedore-Signature", sig, "Idempotency-Key", "d-2"));
    assertThat(new JsonObject(replay.body()).getString("deploymentId"))
        .isEqualTo(new JsonObject(first.body()).getString("deploymentId"));
    assertThat(new JsonObject(replay.body()).getBoolean("duplicate")).isTrue();
    assertThat(RequestsTopic.forService(bootstrap, "replay-svc")).hasSize(1);
  }

  @Test
  void githubPushOfAFeatureBranchIsIgnoredWithTheReason() throws Exception {
    HttpResponse<String> r = github("push", "github-push-feature.json", UUID.randomUUID().toString());
    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(new JsonObject(r.body()).getString("ignored")).contains("feature/login");
    assertThat(new JsonObject(r.body()).containsKey("deploymentId")).isFalse();
  }

  @Test
  void githubBranchDeletionIsIgnored() throws Exception {
    HttpResponse<String> r = github("push", "github-push-delete.json", UUID.randomUUID().toString());
    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(new JsonObject(r.body()).getString("ignored")).contains("deletes");
  }

  @Test
  void githubTagPushDeploysTheTag() throws Exception {
    String delivery = UUID.randomUUID().toString();
    HttpResponse<String> r = github("push", "github-push-tag.json", delivery);
    assertThat(r.statusCode()).isEqualTo(202);
    DeployRequested req = onlyOne(new JsonObject(r.body()).getString("deploymentId"));
    assertThat(req.service()).isEqualTo("api");
    assertThat(req.environment()).isEqualTo("production");
    assertThat(req.version()).isEqualTo("v2.4.0");
    assertThat(req.branch()).isNull();
  }

  @Test
  void githubSuccessfulWorkflowRunOnAReleaseBranchDeploysToStagingWithShortCommit() throws Exception {
    HttpResponse<String> r = github("workflow_run", "github-workflow-run.json", UUID.randomUUID().toString());
    assertThat(r.statusCode()).isEqualTo(202);
    DeployRequested req = onlyOne(new JsonObject(r.body()).getString("deploymentId"));
    assertThat(req.service()).isEqualTo("api");
    assertThat(req.environment()).isEqualTo("staging");
    assertThat(req.version()).isEqualTo("acb5820ced94");
    assertThat(req.branch()).isEqualTo("release/2024-06");
  }

  @Test
  void githubWorkflowRunThatDidNotSucceedIsIgnored() throws Exception {
    byte[] body = new String(TestTrigger.payload("github-workflow-run.json"))
        .replace("\"conclusion\": \"success\"", "\"conclusion\": \"failure\"").getBytes();
    HttpResponse<String> r = trigger.post("/hooks/github", "application/json", body, Map.of(
        "X-GitHub-Event", "workflow_run", "X-GitHub-Delivery", UUID.randomUUID().toString(),
        "X-Hub-Signature-256", Hmac.header(TestTrigger.GITHUB_SECRET, body)));
    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(new JsonObject(r.body()).getString("ignored")).contains("failure");
  }

  @Test
  void githubRegistryPackagePublishedDeploysItsTagToEveryService() throws Exception {
    String delivery = UUID.randomUUID().toString();
    HttpResponse<String> r = github("registry_package", "github-registry-package.json", delivery);
    assertThat(r.statusCode()).isEqualTo(202);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getJsonArray("deployments")).hasSize(2);
    String key = githubKey("github-registry-package.json", delivery);
    DeployRequested pkg = onlyOne(DeploymentIds.of("github", key + "/production/pkg"));
    DeployRequested worker = onlyOne(DeploymentIds.of("github", key + "/production/pkg-worker"));
    assertThat(pkg.version()).isEqualTo("1.8.0");
    assertThat(worker.version()).isEqualTo("1.8.0");
    assertThat(worker.service()).isEqualTo("pkg-worker");
  }

  @Test
  void githubUnknownEventIsIgnored() throws Exception {
    HttpResponse<String> r = github("issues", "github-ping.json", UUID.randomUUID().toString());
    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(new JsonObject(r.body()).getString("ignored")).contains("issues");
  }

  @Test
  void githubUnconfiguredRepositoryIsIgnored() throws Exception {
    byte[] body = new String(TestTrigger.payload("github-push.json")).replace("acme/web", "other/repo").getBytes();
    HttpResponse<String> r = trigger.post("/hooks/github", "application/json", body, Map.of(
        "X-GitHub-Event", "push", "X-GitHub-Delivery", UUID.randomUUID().toString(),
        "X-Hub-Signature-256", Hmac.header(TestTrigger.GITHUB_SECRET, body)));
    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(new JsonObject(r.body()).getString("ignored")).contains("other/repo");
  }

  @Test
  void gitlabPushToMainDeploysToStaging() throws Exception {
    String delivery = UUID.randomUUID().toString();
    HttpResponse<String> r = gitlab("Push Hook", "gitlab-push.json", delivery);
    assertThat(r.statusCode()).isEqualTo(202);
    String id = new JsonObject(r.body()).getString("deploymentId");
    assertThat(id).isEqualTo(DeploymentIds.of("gitlab", DeliveryKeys.of("gitlab", "Push Hook".getBytes(StandardCharsets.UTF_8),
        body("gitlab-push.json", delivery)) + "/staging/app"));
    DeployRequested req = onlyOne(id);
    assertThat(req.trigger()).isEqualTo("gitlab");
    assertThat(req.version()).isEqualTo("da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
    assertThat(req.repository()).isEqualTo("group/app");
    assertThat(req.requestedBy()).isEqualTo("jsmith");
  }

  @Test
  void gitlabTagPushDeploysTheTagToProduction() throws Exception {
    HttpResponse<String> r = gitlab("Tag Push Hook", "gitlab-tag-push.json", UUID.randomUUID().toString());
    assertThat(r.statusCode()).isEqualTo(202);
    DeployRequested req = onlyOne(new JsonObject(r.body()).getString("deploymentId"));
    assertThat(req.environment()).isEqualTo("production");
    assertThat(req.version()).isEqualTo("v1.0.0");
  }

  @Test
  void gitlabSuccessfulPipelineDeploysAndAFailedOneIsIgnored() throws Exception {
    HttpResponse<String> ok = gitlab("Pipeline Hook", "gitlab-pipeline.json", UUID.randomUUID().toString());
    HttpResponse<String> failed = gitlab("Pipeline Hook", "gitlab-pipeline-failed.json", UUID.randomUUID().toString());
    assertThat(ok.statusCode()).isEqualTo(202);
    DeployRequested req = onlyOne(new JsonObject(ok.body()).getString("deploymentId"));
    assertThat(req.version()).isEqualTo("bcbb5ec396a2c0f828686f14fac9b80b780504f2");
    assertThat(req.requestedBy()).isEqualTo("root");
    assertThat(failed.statusCode()).isEqualTo(202);
    assertThat(new JsonObject(failed.body()).getString("ignored")).contains("failed");
  }

  @Test
  void gitlabRedeliveryIsADuplicate() throws Exception {
    String delivery = UUID.randomUUID().toString();
    gitlab("Push Hook", "gitlab-push.json", delivery);
    HttpResponse<String> again = gitlab("Push Hook", "gitlab-push.json", delivery);
    assertThat(new JsonObject(again.body()).getBoolean("duplicate")).isTrue();
    assertThat(published(new JsonObject(again.body()).getString("deploymentId"))).hasSize(1);
  }

  @Test
  void gitlabUnknownEventIsIgnored() throws Exception {
    HttpResponse<String> r = gitlab("Issue Hook", "gitlab-push.json", UUID.randomUUID().toString());
    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(new JsonObject(r.body()).getString("ignored")).contains("Issue Hook");
  }

  @Test
  void genericSignedHookAcceptsAFreshSignature() throws Exception {
    byte[] body = "{\"service\":\"signed-svc\",\"environment\":\"staging\",\"version\":\"v3\"}".getBytes();
    String ts = String.valueOf(System.currentTimeMillis() / 1000);
    HttpResponse<String> r = trigger.post("/hooks/generic/" + TestTrigger.SIGNED_TOKEN, "application/json", body, Map.of(
        "X-Stevedore-Timestamp", ts,
        "X-Stevedore-Signature", Hmac.header(TestTrigger.HMAC_SECRET, ts.getBytes(), ".".getBytes(), body)));
    assertThat(r.statusCode()).isEqualTo(202);
    DeployRequested req = onlyOne(new JsonObject(r.body()).getString("deploymentId"));
    assertThat(req.service()).isEqualTo("signed-svc");
  }
}
