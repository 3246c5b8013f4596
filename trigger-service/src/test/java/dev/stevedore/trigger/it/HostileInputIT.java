package dev.stevedore.trigger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.trigger.hooks.Hmac;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven hostile input: each row is a request, the status it must get, and (through the
 * service names "hostile-*" in every body) the check that nothing of it reached the topic.
 */
class HostileInputIT {
  @TempDir static Path dir;
  static String bootstrap;
  static TestTrigger trigger;

  @BeforeAll
  static void start() throws Exception {
    bootstrap = TestKafka.shared().getBootstrapServers();
    trigger = TestTrigger.start(TestTrigger.config(bootstrap, dir));
  }

  @AfterAll
  static void stop() throws Exception {
    if (trigger != null) {
      trigger.close();
    }
  }

  /** One hostile request. */
  record Case(String path, String contentType, byte[] body, Map<String, String> headers, int status) {}

  static byte[] generic(String service) {
    return ("{\"service\":\"" + service + "\",\"environment\":\"staging\",\"version\":\"v1\"}").getBytes(StandardCharsets.UTF_8);
  }

  /** A GitHub push of acme/web main whose version would be deployed, unless refused. */
  static byte[] push(String marker) {
    return ("{\"ref\":\"refs/heads/main\",\"after\":\"" + marker + "\",\"repository\":{\"full_name\":\"acme/web\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static Map<String, String> github(byte[] signedBody, String event) {
    Map<String, String> h = new HashMap<>();
    h.put("X-GitHub-Event", event);
    h.put("X-GitHub-Delivery", UUID.randomUUID().toString());
    h.put("X-Hub-Signature-256", Hmac.header(TestTrigger.GITHUB_SECRET, signedBody));
    return h;
  }

  static Map<String, String> with(Map<String, String> base, String key, String value) {
    Map<String, String> h = new HashMap<>(base);
    if (value == null) {
      h.remove(key);
    } else {
      h.put(key, value);
    }
    return h;
  }

  static Map<String, String> signedGeneric(byte[] body, long timestamp) {
    String ts = String.valueOf(timestamp);
    return Map.of("X-Stevedore-Timestamp", ts,
        "X-Stevedore-Signature", Hmac.header(TestTrigger.HMAC_SECRET, ts.getBytes(), ".".getBytes(), body));
  }

  static byte[] nested(int depth) {
    return ("{\"service\":\"hostile-nested\",\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "}").getBytes();
  }

  static Stream<Arguments> cases() {
    String g = "/hooks/generic/" + TestTrigger.GENERIC_TOKEN;
    String s = "/hooks/generic/" + TestTrigger.SIGNED_TOKEN;
    long now = System.currentTimeMillis() / 1000;
    byte[] pushBody = push("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1");
    byte[] otherBody = push("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2");
    byte[] nonUtf8 = new byte[] {'{', '"', 's', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    byte[] huge = "{\"service\":\"hostile-huge\",\"environment\":\"staging\",\"version\":1e999999999999999999999999999999999999999999999}".getBytes();
    byte[] hugeInt = ("{\"ref\":\"refs/heads/main\",\"n\":" + "9".repeat(5000) + "}").getBytes();
    byte[] oversized = ("{\"service\":\"hostile-big\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}").getBytes();
    byte[] signedOk = generic("hostile-replayed");
    return Stream.of(
        Arguments.of("github: signature made with another secret", new Case("/hooks/github", "application/json", pushBody,
            with(github(pushBody, "push"), "X-Hub-Signature-256", Hmac.header("not-the-secret", pushBody)), 401)),
        Arguments.of("github: missing signature", new Case("/hooks/github", "application/json", pushBody,
            with(github(pushBody, "push"), "X-Hub-Signature-256", null), 401)),
        Arguments.of("github: truncated signature", new Case("/hooks/github", "application/json", pushBody,
            with(github(pushBody, "push"), "X-Hub-Signature-256",
                Hmac.header(TestTrigger.GITHUB_SECRET, pushBody).substring(0, 40)), 401)),
        Arguments.of("github: signature of another body", new Case("/hooks/github", "application/json", pushBody,
            github(otherBody, "push"), 401)),
        Arguments.of("github: sha1 signature", new Case("/hooks/github", "application/json", pushBody,
            with(github(pushBody, "push"), "X-Hub-Signature-256", "sha1=0123456789abcdef0123456789abcdef01234567"), 401)),
        Arguments.of("github: not hex", new Case("/hooks/github", "application/json", pushBody,
            with(github(pushBody, "push"), "X-Hub-Signature-256", "sha256=" + "z".repeat(64)), 401)),
        Arguments.of("github: missing delivery id", new Case("/hooks/github", "application/json", pushBody,
            with(github(pushBody, "push"), "X-GitHub-Delivery", null), 400)),
        Arguments.of("github: delivery id with path and quotes", new Case("/hooks/github", "application/json", pushBody,
            with(github(pushBody, "push"), "X-GitHub-Delivery", "../../\"x\"; drop"), 400)),
        Arguments.of("github: delivery id of 200 characters", new Case("/hooks/github", "application/json", pushBody,
            with(github(pushBody, "push"), "X-GitHub-Delivery", "d".repeat(200)), 400)),
        Arguments.of("github: oversized body", new Case("/hooks/github", "application/json", oversized,
            github(oversized, "push"), 413)),
        Arguments.of("github: non-UTF-8 body", new Case("/hooks/github", "application/json", nonUtf8,
            github(nonUtf8, "push"), 400)),
        Arguments.of("github: deeply nested JSON", new Case("/hooks/github", "application/json", nested(5000),
            github(nested(5000), "push"), 400)),
        Arguments.of("github: huge integer", new Case("/hooks/github", "application/json", hugeInt,
            github(hugeInt, "push"), 400)),
        Arguments.of("github: malformed JSON", new Case("/hooks/github", "application/json", "{\"ref\":".getBytes(),
            github("{\"ref\":".getBytes(), "push"), 400)),
        Arguments.of("github: form with a second field", new Case("/hooks/github", "application/x-www-form-urlencoded",
            "payload=%7B%7D&x=1".getBytes(), github("payload=%7B%7D&x=1".getBytes(), "push"), 400)),
        Arguments.of("github: form with bad percent-encoding", new Case("/hooks/github",
            "application/x-www-form-urlencoded", "payload=%ZZ".getBytes(), github("payload=%ZZ".getBytes(), "push"), 400)),
        Arguments.of("github: form without payload", new Case("/hooks/github", "application/x-www-form-urlencoded",
            "other=%7B%7D".getBytes(), github("other=%7B%7D".getBytes(), "push"), 400)),
        Arguments.of("github: multipart body", new Case("/hooks/github", "multipart/form-data; boundary=x",
            "--x--".getBytes(), github("--x--".getBytes(), "push"), 415)),
        Arguments.of("gitlab: wrong token", new Case("/hooks/gitlab", "application/json", TestTriggerPayloads.gitlabPush(),
            Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Event-UUID", UUID.randomUUID().toString(),
                "X-Gitlab-Token", "gitlab-token-for-test"), 401)),
        Arguments.of("gitlab: missing token", new Case("/hooks/gitlab", "application/json", TestTriggerPayloads.gitlabPush(),
            Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Event-UUID", UUID.randomUUID().toString()), 401)),
        Arguments.of("gitlab: truncated JSON", new Case("/hooks/gitlab", "application/json",
            java.util.Arrays.copyOf(TestTriggerPayloads.gitlabPush(), 200),
            Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Event-UUID", UUID.randomUUID().toString(),
                "X-Gitlab-Token", TestTrigger.GITLAB_TOKEN), 400)),
        Arguments.of("generic: no content type", new Case(g, null, generic("hostile-noct"), Map.of(), 415)),
        Arguments.of("generic: text/plain", new Case(g, "text/plain", generic("hostile-text"), Map.of(), 415)),
        Arguments.of("generic: empty body", new Case(g, "application/json", new byte[0], Map.of(), 400)),
        Arguments.of("generic: JSON array", new Case(g, "application/json", "[1,2]".getBytes(), Map.of(), 400)),
        Arguments.of("generic: duplicate keys", new Case(g, "application/json",
            "{\"service\":\"hostile-a\",\"service\":\"hostile-b\",\"environment\":\"staging\",\"version\":\"v1\"}".getBytes(),
            Map.of(), 400)),
        Arguments.of("generic: service is a number", new Case(g, "application/json",
            "{\"service\":5,\"environment\":\"staging\",\"version\":\"v1\"}".getBytes(), Map.of(), 400)),
        Arguments.of("generic: unknown field", new Case(g, "application/json",
            "{\"service\":\"hostile-f\",\"environment\":\"staging\",\"version\":\"v1\",\"cmd\":\"rm\"}".getBytes(), Map.of(), 400)),
        Arguments.of("generic: huge number", new Case(g, "application/json", huge, Map.of(), 400)),
        Arguments.of("generic: version with shell", new Case(g, "application/json",
            "{\"service\":\"hostile-sh\",\"environment\":\"staging\",\"version\":\"v1;reboot\"}".getBytes(), Map.of(), 400)),
        Arguments.of("generic: 10k version", new Case(g, "application/json",
            ("{\"service\":\"hostile-long\",\"environment\":\"staging\",\"version\":\"" + "v".repeat(10_000) + "\"}").getBytes(),
            Map.of(), 400)),
        Arguments.of("generic: non-UTF-8", new Case(g, "application/json", nonUtf8, Map.of(), 400)),
        Arguments.of("generic: deeply nested", new Case(g, "application/json", nested(100), Map.of(), 400)),
        Arguments.of("generic: service not allowed for the hook", new Case("/hooks/generic/narrow-token-0123456789abcdef",
            "application/json", generic("hostile-narrow"), Map.of(), 403)),
        Arguments.of("generic: idempotency key with CRLF-free injection attempt", new Case(g, "application/json",
            generic("hostile-idem"), Map.of("Idempotency-Key", "a b%0d%0aSet-Cookie:x"), 400)),
        Arguments.of("signed generic: replay an hour old", new Case(s, "application/json", signedOk,
            signedGeneric(signedOk, now - 3600), 401)),
        Arguments.of("signed generic: timestamp an hour ahead", new Case(s, "application/json", signedOk,
            signedGeneric(signedOk, now + 3600), 401)),
        Arguments.of("signed generic: no signature", new Case(s, "application/json", signedOk, Map.of(), 401)),
        Arguments.of("signed generic: timestamp not a number", new Case(s, "application/json", signedOk,
            with(signedGeneric(signedOk, now), "X-Stevedore-Timestamp", "now"), 401)),
        Arguments.of("signed generic: signature for another timestamp", new Case(s, "application/json", signedOk,
            with(signedGeneric(signedOk, now - 10), "X-Stevedore-Timestamp", String.valueOf(now)), 401)),
        Arguments.of("api: wrong bearer", new Case("/api/v1/deployments", "application/json",
            "{\"service\":\"hostile-api\",\"environment\":\"staging\",\"version\":\"v1\",\"reason\":\"x\"}".getBytes(),
            Map.of("Authorization", "Bearer " + TestTrigger.DEPLOYER_TOKEN + "x"), 401)),
        Arguments.of("api: token as basic auth", new Case("/api/v1/deployments", "application/json",
            "{\"service\":\"hostile-api\",\"environment\":\"staging\",\"version\":\"v1\",\"reason\":\"x\"}".getBytes(),
            Map.of("Authorization", "Basic " + TestTrigger.DEPLOYER_TOKEN), 401)),
        Arguments.of("api: deeply nested", new Case("/api/v1/deployments", "application/json", nested(100),
            Map.of("Authorization", "Bearer " + TestTrigger.DEPLOYER_TOKEN), 400)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void hostileRequestIsRefusedWithItsStatus(String name, Case c) throws Exception {
    HttpResponse<String> r = trigger.post(c.path(), c.contentType(), c.body(), c.headers());
    assertThat(r.statusCode()).as(name).isEqualTo(c.status());
    assertThat(new JsonObject(r.body()).getString("detail")).as(name).isNotBlank();
  }

  @Test
  void rawHeaderWithControlCharacterIsRefused() throws Exception {
    byte[] body = push("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb1");
    String request = "POST /hooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "X-GitHub-Event: push\r\nX-GitHub-Delivery: abc\u0001def\r\n"
        + "X-Hub-Signature-256: " + Hmac.header(TestTrigger.GITHUB_SECRET, body) + "\r\n"
        + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
    assertThat(raw(request, body)).startsWith("HTTP/1.1 400");
  }

  @Test
  void smuggledSecondRequestInAHeaderIsNotExecuted() throws Exception {
    // A header value cannot carry a line break through HTTP; what arrives is one request with odd headers.
    byte[] body = generic("hostile-smuggle");
    String request = "POST /hooks/generic/" + TestTrigger.GENERIC_TOKEN + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: application/json\r\nIdempotency-Key: x\rGET /metrics HTTP/1.1\r\n"
        + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
    String answer = raw(request, body);
    assertThat(answer).startsWith("HTTP/1.1 400");
  }

  @Test
  void wrongMethodIsRefused() throws Exception {
    assertThat(trigger.get("/hooks/github", Map.of()).statusCode()).isEqualTo(405);
  }

  @Test
  void nothingOfAnyHostileRequestReachedTheTopic() throws Exception {
    // Runs the whole table again here so that the order of test methods does not matter, then a barrier.
    // deploy requests only: other ITs on the shared broker also publish unblocks and forged records
    int before = RequestsTopic.requests(bootstrap).size();
    for (Arguments a : cases().collect(Collectors.toList())) {
      Case c = (Case) a.get()[1];
      assertThat(trigger.post(c.path(), c.contentType(), c.body(), c.headers()).statusCode()).isEqualTo(c.status());
    }
    HttpResponse<String> barrier = trigger.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN,
        "{\"service\":\"hostile-barrier\",\"environment\":\"staging\",\"version\":\"v1\"}", Map.of());
    assertThat(barrier.statusCode()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> !RequestsTopic.forService(bootstrap, "hostile-barrier").isEmpty());
    List<DeployRequested> all = RequestsTopic.requests(bootstrap);
    assertThat(all).hasSize(before + 1);
    assertThat(all.stream().filter(r -> r.service().startsWith("hostile-")).map(DeployRequested::service))
        .containsOnly("hostile-barrier");
    assertThat(all.stream().filter(r -> r.version().startsWith("aaaaaaaa") || r.version().startsWith("bbbbbbbb")))
        .isEmpty();
  }

  private static String raw(String head, byte[] body) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", trigger.running.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      byte[] buffer = new byte[4096];
      int n;
      while ((n = in.read(buffer)) > 0) {
        answer.write(buffer, 0, n);
      }
      return answer.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
