package dev.stevedore.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.config.ResilienceConfig;
import dev.stevedore.agent.process.Command;
import dev.stevedore.agent.process.ProcessResult;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DockerBreakerTest {
  private final AtomicInteger calls = new AtomicInteger();
  private volatile String output = "Couldn't connect to Docker daemon at http+docker://localhost - is it running?";

  private final Breakers breakers = new Breakers(new ResilienceConfig(3, Duration.ofMillis(1), 50, 10, 3,
      Duration.ofMinutes(1), Duration.ofSeconds(5), Duration.ofSeconds(1)));
  private final Docker docker = new Docker(c -> {
    calls.incrementAndGet();
    return Future.succeededFuture(new ProcessResult(1, output, 5, false));
  }, breakers.docker());

  private ProcessResult run() {
    return docker.run(Command.of(List.of("docker", "ps"))).result();
  }

  @Test
  void anUnreachableDaemonOpensTheBreakerAndLaterCommandsFailFast() {
    for (int i = 0; i < 3; i++) {
      assertThat(run().output()).contains("Couldn't connect");
    }
    assertThat(breakers.docker().getState().name()).isEqualTo("OPEN");
    ProcessResult refused = run();
    assertThat(refused.ok()).isFalse();
    assertThat(refused.output()).contains("docker daemon circuit breaker is open");
    assertThat(calls.get()).isEqualTo(3);
    assertThat(breakers.states()).containsEntry("docker", "OPEN");
  }

  @Test
  void ordinaryCommandFailuresDoNotCountAgainstTheDaemon() {
    output = "no such service: web";
    for (int i = 0; i < 10; i++) {
      assertThat(run().exitCode()).isEqualTo(1);
    }
    assertThat(breakers.docker().getState().name()).isEqualTo("CLOSED");
    assertThat(calls.get()).isEqualTo(10);
  }
}
