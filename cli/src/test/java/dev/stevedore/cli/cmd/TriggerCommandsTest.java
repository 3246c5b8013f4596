package dev.stevedore.cli.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stevedore.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rollouts and cancel against a local JDK HttpServer that answers as the trigger does
 * (docs/api.md): the request sent (method, path, token, body), the table, -o json, the exit code
 * of a 404/409/503 with its problem document, and server text with control characters escaped.
 */
class TriggerCommandsTest {
  static final String TOKEN = "deployer-token-0123456789";
  static final String ROLLOUT = """
      {"rolloutId": "r-1", "environment": "prod", "service": "web", "version": "v2\\u001b[2J", "phase": "baking",
       "paused": false, "seq": 7, "strategy": "canary", "currentWave": 0, "bakeUntil": "2026-11-29T10:05:00Z",
       "detail": null, "supersededBy": null,
       "waves": [{"index": 0, "hosts": ["web-1"], "canary": true}, {"index": 1, "hosts": ["web-2", "web-3"], "canary": false}],
       "hosts": [{"host": "web-1", "wave": 0, "previousVersion": "v1", "state": "succeeded", "detail": "ok\\nweb-9 succeeded"},
                 {"host": "web-2", "wave": 1, "previousVersion": "v1", "state": "pending", "detail": null}],
       "unreached": [], "updatedAt": "2026-11-29T10:00:00Z"}
      """;

  @TempDir Path dir;
  HttpServer server;
  final List<String> requests = new CopyOnWriteArrayList<>();
  volatile int status = 200;
  volatile String body = ROLLOUT;
  volatile Map<String, String> headers = Map.of();
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::answer);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void answer(HttpExchange x) throws IOException {
    String sent = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    requests.add(x.getRequestMethod() + " " + x.getRequestURI().getRawPath() + " " + x.getRequestHeaders().getFirst("Authorization")
        + (sent.isEmpty() ? "" : " " + sent));
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", status < 300 ? "application/json" : "application/problem+json");
    headers.forEach(x.getResponseHeaders()::set);
    x.sendResponseHeaders(status, bytes.length);
    x.getResponseBody().write(bytes);
    x.close();
  }

  int run(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--trigger-url";
    all[args.length + 1] = "http://127.0.0.1:" + server.getAddress().getPort();
    return Main.run(all, new PrintWriter(out, true), new PrintWriter(err, true),
        Map.of("STEVEDORE_CONFIG", dir.resolve("c.yaml").toString(), "STEVEDORE_TRIGGER_TOKEN", TOKEN));
  }

  @Test
  void showPrintsPhaseWavesAndHostsWithServerTextEscaped() {
    assertThat(run("rollouts", "show", "r-1")).isZero();
    assertThat(requests).containsExactly("GET /api/v1/rollouts/r-1 Bearer " + TOKEN);
    assertThat(out.toString()).isEqualTo("""
        rollout r-1: web v2\\e[2J in prod
        phase: baking  strategy: canary  current wave: 0 of 2
        bake until: 2026-11-29T10:05:00Z
        updated: 2026-11-29T10:00:00Z

        WAVE  CANARY  HOSTS
        0     yes     web-1
        1     no      web-2,web-3

        HOST   WAVE  STATE      PREVIOUS  DETAIL
        web-1  0     succeeded  v1        ok\\nweb-9 succeeded
        web-2  1     pending    v1        -
        """);
    assertThat(out.toString()).doesNotContain("\u001b");
  }

  @Test
  void jsonIsTheAnswerAsItCameWithControlCharactersAsEscapes() throws Exception {
    assertThat(run("rollouts", "show", "r-1", "-o", "json")).isZero();
    assertThat(out.toString()).doesNotContain("\u001b");
    assertThat(dev.stevedore.cli.out.Json.MAPPER.readTree(out.toString()).get("version").asText()).isEqualTo("v2\u001b[2J");
  }

  @Test
  void anIdCannotAddAPathSegment() {
    status = 404;
    body = "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"no rollout ../x\"}";
    assertThat(run("rollouts", "show", "../x")).isEqualTo(12);
    assertThat(requests).containsExactly("GET /api/v1/rollouts/..%2Fx Bearer " + TOKEN);
    assertThat(err.toString()).contains("trigger refused (404 Not Found): no rollout ../x");
  }

  @Test
  void promotePostsTheReasonAndShowsTheNewState() {
    body = ROLLOUT.replace("\"baking\"", "\"rolling\"").replace("\"currentWave\": 0", "\"currentWave\": 1");
    assertThat(run("rollouts", "promote", "r-1", "-r", "canary looks good")).isZero();
    assertThat(requests).containsExactly("POST /api/v1/rollouts/r-1/promote Bearer " + TOKEN + " {\"reason\":\"canary looks good\"}");
    assertThat(out.toString()).startsWith("rollout r-1 promoted\nrollout r-1: web v2\\e[2J in prod\n"
        + "phase: rolling  strategy: canary  current wave: 1 of 2\n");
  }

  @Test
  void pauseAndResumeSendAnEmptyBodyWithoutAReason() {
    assertThat(run("rollouts", "pause", "r-1")).isZero();
    assertThat(run("rollouts", "resume", "r-1", "-o", "yaml")).isZero();
    assertThat(requests).containsExactly("POST /api/v1/rollouts/r-1/pause Bearer " + TOKEN + " {}",
        "POST /api/v1/rollouts/r-1/resume Bearer " + TOKEN + " {}");
    assertThat(out.toString()).contains("rollout r-1 paused").contains("phase: baking").contains("rolloutId: r-1");
  }

  @Test
  void aCommandThatDoesNotApplyToThePhaseIs409WithTheServersWordsEscaped() {
    status = 409;
    body = "{\"type\":\"about:blank\",\"title\":\"Conflict\",\"status\":409,"
        + "\"detail\":\"cannot promote in phase aborted\\u001b]0;owned\\u0007\\nstevedore: ok\"}";
    assertThat(run("rollouts", "abort", "r-1", "--reason", "bad metrics")).isEqualTo(13);
    assertThat(requests).containsExactly("POST /api/v1/rollouts/r-1/abort Bearer " + TOKEN + " {\"reason\":\"bad metrics\"}");
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).isEqualTo(
        "stevedore: trigger refused (409 Conflict): cannot promote in phase aborted\\e]0;owned\\u0007\\nstevedore: ok\n");
  }

  @Test
  void anInstanceThatDoesNotCoordinateTheRolloutIs503RetryLater() {
    status = 503;
    headers = Map.of("Retry-After", "1");
    body = "{\"title\":\"Service Unavailable\",\"status\":503,\"detail\":\"another instance coordinates prod/web\"}";
    assertThat(run("rollouts", "pause", "r-1")).isEqualTo(14);
    assertThat(err.toString()).contains("another instance coordinates prod/web; retry after 1 s");
  }

  @Test
  void cancelPostsTheReasonAndIdempotencyKeyAndSaysWhatWasWithdrawn() {
    body = "{\"cancellationId\":\"c-9\",\"deploymentId\":\"d-1\",\"environment\":\"prod\",\"service\":\"web\\u202e\"}";
    status = 202;
    assertThat(run("cancel", "d-1", "-r", "wrong version")).isZero();
    assertThat(requests).containsExactly("POST /api/v1/deployments/d-1/cancel Bearer " + TOKEN + " {\"reason\":\"wrong version\"}");
    assertThat(out.toString()).isEqualTo(
        "cancellation c-9 published: deployment d-1 (web\\u202e in prod) is withdrawn where it still waits\n");
    out.getBuffer().setLength(0);
    assertThat(run("cancel", "d-1", "-o", "json")).isZero();
    assertThat(requests.get(1)).isEqualTo("POST /api/v1/deployments/d-1/cancel Bearer " + TOKEN + " {}");
    assertThat(out.toString()).contains("\"cancellationId\" : \"c-9\"");
  }

  @Test
  void cancelOfAnUnknownDeploymentIs404AndWithoutTheRoleIs403() {
    status = 404;
    body = "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"no deployment d-2\"}";
    assertThat(run("cancel", "d-2")).isEqualTo(12);
    status = 403;
    body = "{\"title\":\"Forbidden\",\"status\":403,\"detail\":\"token ci lacks role deployer\"}";
    assertThat(run("cancel", "d-2")).isEqualTo(11);
    assertThat(err.toString()).contains("no deployment d-2").contains("token ci lacks role deployer");
  }
}
