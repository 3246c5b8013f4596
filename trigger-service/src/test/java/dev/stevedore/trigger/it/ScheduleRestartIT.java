package dev.stevedore.trigger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.common.event.DeployRequested;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A schedule made by one process fires in the next one, once, and stays fired after another restart. */
class ScheduleRestartIT {
  @TempDir Path dir;
  static final Map<String, String> DEPLOYER = Map.of("Authorization", "Bearer " + TestTrigger.DEPLOYER_TOKEN);

  @Test
  void scheduleSurvivesARestartAndFiresOnce() throws Exception {
    String bootstrap = TestKafka.shared().getBootstrapServers();
    String id;
    Instant at;
    try (TestTrigger first = TestTrigger.start(TestTrigger.config(bootstrap, dir))) {
      at = Instant.now().plusSeconds(5);
      HttpResponse<String> r = first.postJson("/api/v1/deployments", "{\"service\":\"restart-svc\","
          + "\"environment\":\"staging\",\"version\":\"v8\",\"reason\":\"after restart\",\"notBefore\":\"" + at + "\"}",
          DEPLOYER);
      assertThat(r.statusCode()).isEqualTo(202);
      id = new JsonObject(r.body()).getString("deploymentId");
    }
    assertThat(Instant.now()).isBefore(at);
    assertThat(published(bootstrap, id)).isEmpty();

    try (TestTrigger second = TestTrigger.start(TestTrigger.config(bootstrap, dir))) {
      JsonObject shown = new JsonObject(second.get("/api/v1/schedules/" + id, DEPLOYER).body());
      assertThat(shown.getString("state")).isEqualTo("pending");
      await().atMost(Duration.ofSeconds(20)).until(() -> published(bootstrap, id).size() == 1);
      await().atMost(Duration.ofSeconds(5)).until(() ->
          new JsonObject(second.get("/api/v1/schedules/" + id, DEPLOYER).body()).getString("state").equals("fired"));
    }

    try (TestTrigger third = TestTrigger.start(TestTrigger.config(bootstrap, dir))) {
      assertThat(new JsonObject(third.get("/api/v1/schedules/" + id, DEPLOYER).body()).getString("state"))
          .isEqualTo("fired");
      // Barrier: a later request of this process is on the topic; the schedule is still there once.
      HttpResponse<String> barrier = third.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN,
          "{\"service\":\"restart-svc\",\"environment\":\"staging\",\"version\":\"v9\"}", Map.of());
      assertThat(barrier.statusCode()).isEqualTo(202);
      List<DeployRequested> all = RequestsTopic.forService(bootstrap, "restart-svc");
      assertThat(all).extracting(DeployRequested::version).containsExactlyInAnyOrder("v8", "v9");
    }
  }

  private static List<DeployRequested> published(String bootstrap, String id) {
    return RequestsTopic.requests(bootstrap).stream().filter(r -> r.deploymentId().equals(id))
        .collect(Collectors.toList());
  }
}
