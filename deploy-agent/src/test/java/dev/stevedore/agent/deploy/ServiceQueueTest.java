package dev.stevedore.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceQueueTest {
  private final List<String> ran = new ArrayList<>();
  private final Map<String, String> skipped = new HashMap<>();
  private final Map<String, Promise<Void>> running = new HashMap<>();
  private final ServiceQueue queue = new ServiceQueue(job -> {
    ran.add(job.version());
    Promise<Void> p = Promise.promise();
    running.put(job.version(), p);
    return p.future();
  }, (job, reason) -> {
    skipped.put(job.version(), reason);
    return Future.succeededFuture();
  });

  private static DeployJob job(String service, String version) {
    return new DeployJob("id-" + version, service, "prod", version, Instant.now(), "manual", "src");
  }

  @Test
  void latestWinsWhileADeploymentRuns() {
    Future<Void> v2 = queue.submit(job("web", "v2"));
    Future<Void> v3 = queue.submit(job("web", "v3"));
    Future<Void> v4 = queue.submit(job("web", "v4"));
    assertThat(ran).containsExactly("v2");
    assertThat(v3.succeeded()).isTrue();
    assertThat(skipped.get("v3")).contains("superseded by deployment id-v4");
    running.get("v2").complete();
    assertThat(v2.succeeded()).isTrue();
    assertThat(ran).containsExactly("v2", "v4");
    assertThat(v4.isComplete()).isFalse();
    running.get("v4").complete();
    assertThat(v4.succeeded()).isTrue();
    assertThat(queue.busy("web")).isFalse();
  }

  @Test
  void servicesDoNotWaitForEachOther() {
    queue.submit(job("web", "v2"));
    queue.submit(job("api", "a1"));
    assertThat(ran).containsExactly("v2", "a1");
  }

  @Test
  void aFailedRunStillReleasesTheLock() {
    queue.submit(job("web", "v2"));
    Future<Void> next = queue.submit(job("web", "v3"));
    running.get("v2").fail("boom");
    assertThat(ran).containsExactly("v2", "v3");
    running.get("v3").complete();
    assertThat(next.succeeded()).isTrue();
  }

  @Test
  void cancelsOnlyAWaitingJob() {
    queue.submit(job("web", "v2"));
    queue.submit(job("web", "v3"));
    assertThat(queue.cancel("web", "id-v2", "cancelled")).isFalse();
    assertThat(queue.cancel("web", "id-v3", "cancelled")).isTrue();
    assertThat(skipped).containsEntry("v3", "cancelled");
    assertThat(queue.holds("id-v2")).isTrue();
    assertThat(queue.holds("id-v3")).isFalse();
  }
}
