package dev.stevedore.audit.testing;

import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.AuditService;
import dev.stevedore.audit.Events;
import dev.stevedore.common.event.AgentHeartbeat;
import dev.stevedore.common.event.DeployEvent;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.testing.KafkaTestSupport;
import dev.stevedore.testing.PgCluster;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts the audit service against a broker and a database, and talks to it over HTTP. */
public final class AuditHarness {
  public static final String TOKEN = "reader-token-for-tests-0123456789";

  // HTTP/1.1 as Prometheus scrapes: the JDK client's h2c upgrade stalls on a large body (/metrics)
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private AuditHarness() {}

  public static AuditConfig config(KafkaTestSupport kafka, AuditConfig.Database database, String group, int batchSize) {
    return new AuditConfig(
        new AuditConfig.Http("127.0.0.1", 0),
        new KafkaSettings(kafka.bootstrapServers(), "audit-it", 5000, 10000, 100, Map.of()),
        new AuditConfig.Ingest(group, batchSize, 200, 300, 500, true, 3),
        database,
        new AuditConfig.Auth(TOKEN, List.of()),
        new AuditConfig.Api(50, 500, 90));
  }

  /** The audit database settings for a throwaway cluster (user postgres, trust authentication). */
  public static AuditConfig.Database database(PgCluster pg) {
    return new AuditConfig.Database(pg.jdbcUrl(), null, "postgres", null, 4, 2000, 1000);
  }

  public static AuditService.RunningAudit start(Vertx vertx, AuditConfig config) throws Exception {
    return AuditService.start(vertx, config).await(90, TimeUnit.SECONDS);
  }

  public static void stop(AuditService.RunningAudit running) throws Exception {
    running.stop().await(30, TimeUnit.SECONDS);
  }

  /** Publishes events on their topics with their keys, as the trigger and the agents do. */
  public static void publish(KafkaTestSupport kafka, List<? extends StevedoreEvent> events) {
    for (StevedoreEvent e : events) {
      String json = new String(Events.CODEC.encode(e), StandardCharsets.UTF_8);
      if (e instanceof DeployRequested r) {
        kafka.send(Topics.REQUESTS, r.partitionKey(), json);
      } else if (e instanceof dev.stevedore.common.event.DeployCancelled c) {
        kafka.send(Topics.REQUESTS, c.partitionKey(), json);
      } else if (e instanceof AgentHeartbeat h) {
        kafka.send(Topics.HEARTBEATS, h.host(), json);
      } else if (e instanceof DeployEvent d) {
        kafka.send(Topics.EVENTS, d.deploymentId(), json);
      } else if (e instanceof dev.stevedore.common.event.RolloutEvent r) {
        kafka.send(Topics.ROLLOUT_EVENTS, r.partitionKey(), json);
      } else if (e instanceof dev.stevedore.common.event.VersionBlocked b) {
        kafka.send(Topics.FLEET_BLOCKLIST, b.blocklistKey(), json);
      } else {
        throw new IllegalArgumentException("no topic for " + e.type());
      }
    }
  }

  public record Response(int status, String body, Map<String, List<String>> headers) {}

  public static Response get(int port, String pathAndQuery) throws IOException, InterruptedException {
    return get(port, pathAndQuery, "Bearer " + TOKEN);
  }

  public static Response get(int port, String pathAndQuery, String authorization) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .timeout(Duration.ofSeconds(30)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    checkAgainstOpenApi(pathAndQuery, authorization, response);
    return new Response(response.statusCode(), response.body(), response.headers().map());
  }

  private static volatile dev.stevedore.testing.OpenApiCheck openApi;

  /**
   * Every answer an IT gets through {@link #get} is checked against the OpenAPI document the audit
   * serves (audit-service/src/main/resources/openapi/audit.yaml), and so is every request it
   * answered with 2xx: a mismatch fails the test at the exchange. Paths the document does not
   * describe (the dashboard under /ui, unknown paths) are not checked.
   */
  private static void checkAgainstOpenApi(String pathAndQuery, String authorization, HttpResponse<String> response)
      throws IOException {
    try {
      if (openApi == null) {
        synchronized (AuditHarness.class) {
          if (openApi == null) {
            openApi = dev.stevedore.testing.OpenApiCheck.load(io.vertx.core.Vertx.vertx(),
                dev.stevedore.audit.api.ApiRoutes.OPENAPI);
          }
        }
      }
    } catch (Exception e) {
      throw new IOException("the OpenAPI document does not load", e);
    }
    Map<String, String> headers = authorization == null ? Map.of() : Map.of("Authorization", authorization);
    List<String> wrong = openApi.check("GET", pathAndQuery, headers, null, response.statusCode() / 100 == 2,
        response.statusCode(), response.headers().firstValue("content-type").orElse(null), response.body());
    if (!wrong.isEmpty() && !wrong.get(0).startsWith(dev.stevedore.testing.OpenApiCheck.NO_OPERATION)) {
      throw new AssertionError("the audit's answer does not match its OpenAPI document: " + wrong);
    }
  }

  /** A request written byte for byte (for targets java.net.URI refuses); returns the status code. */
  public static int rawGet(int port, String target) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != -1 && b != '\n') {
        line.write(b);
      }
      String status = line.toString(StandardCharsets.ISO_8859_1);
      return Integer.parseInt(status.split(" ")[1]);
    }
  }
}
