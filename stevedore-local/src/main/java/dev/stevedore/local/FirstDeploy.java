package dev.stevedore.local;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a first start nothing serves yet: deploy the first version through the real path (webhook,
 * Kafka, agent) so the demo runs before the banner invites you to deploy the next one.
 */
final class FirstDeploy {
  private static final Logger log = LoggerFactory.getLogger(FirstDeploy.class);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private FirstDeploy() {}

  static void ensureRunning(Banner banner, Demo demo, String version) throws Exception {
    Optional<String> running = get(demo.versionUrl());
    if (running.isPresent()) {
      log.info("The demo already serves {}", running.get());
      return;
    }
    System.out.println("Deploying " + version + " of the demo through the webhook (first start)...");
    HttpRequest request = HttpRequest.newBuilder(URI.create(banner.webhookUrl()))
        .header("Content-Type", "application/json")
        .header("X-Stevedore-Delivery", "local-first-" + UUID.randomUUID())
        .timeout(Duration.ofSeconds(15))
        .POST(HttpRequest.BodyPublishers.ofString(banner.deployBody(version)))
        .build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 202) {
      throw new IllegalStateException("the trigger answered " + response.statusCode() + ": " + response.body());
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      if (get(demo.versionUrl()).filter(version::equals).isPresent()) {
        System.out.println("The demo serves " + version + ".");
        return;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the demo did not start serving " + version + " within 2 minutes; "
        + "see the agent's log lines above and " + banner.auditCurl());
  }

  private static Optional<String> get(String url) {
    try {
      HttpResponse<String> response = HTTP.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.of(response.body().strip()) : Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }
}
