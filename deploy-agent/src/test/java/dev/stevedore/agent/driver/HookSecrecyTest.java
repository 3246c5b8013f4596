package dev.stevedore.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.config.DriverKind;
import dev.stevedore.agent.config.ResilienceConfig;
import dev.stevedore.agent.config.ServiceConfig.GitConfig;
import dev.stevedore.agent.config.ServiceConfig.HookConfig;
import dev.stevedore.agent.config.ServiceConfig.HooksConfig;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.process.Command;
import dev.stevedore.agent.process.CommandRunner;
import dev.stevedore.agent.process.ProcessResult;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A failing hook's reason (published in deploy.step and deploy.failed) names the hook, never its arguments. */
class HookSecrecyTest {
  private static final String SECRET = "--password=hunter2-s3cr3t";

  private final List<Command> ran = new ArrayList<>();
  private final CommandRunner failingHooks = c -> {
    ran.add(c);
    return Future.succeededFuture(new ProcessResult(3, "migration failed", 5, false));
  };

  private static HooksConfig hooks(HookConfig pre) {
    return new HooksConfig(List.of(pre), List.of());
  }

  private static StepResult runStep(List<StepPlan> steps, String name) {
    return steps.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow().action().get().result();
  }

  @Test
  void aFailingComposeRunHookIsNamedByItsServiceNotItsArguments() {
    ServiceConfig config = new ServiceConfig(DriverKind.COMPOSE, "/srv/web", null, null, null, null, null, null,
        Map.of("DB_PASSWORD", "hunter2-s3cr3t"), null, null, null, null,
        hooks(new HookConfig("migrate", List.of("migrate", SECRET), null, null)), null, null);
    ComposeDriver driver = new ComposeDriver(null, "web", config, ComposeFlavor.V2, "docker",
        new Docker(failingHooks, new Breakers(ResilienceConfig.defaults()).docker()),
        new Breakers(ResilienceConfig.defaults()), Duration.ofMinutes(1));

    StepResult r = runStep(driver.forward("v2"), "pre-deploy");

    assertThat(r.ok()).isFalse();
    assertThat(r.reason()).isEqualTo("pre-deploy hook compose run migrate exited with 3").doesNotContain("hunter2");
    assertThat(ran.get(0).args()).contains(SECRET);                 // the hook still gets its arguments
    assertThat(ran.get(0).display()).doesNotContain("hunter2");     // logs and breaker messages show the label
  }

  @Test
  void aFailingCommandHookIsNamedByItsProgramNotItsArguments() {
    ServiceConfig config = new ServiceConfig(DriverKind.GIT, null, null, null, null, null, null, null, Map.of(), null, null, null,
        null, hooks(new HookConfig(null, null, List.of("/opt/hooks/migrate.sh", SECRET), null)),
        new GitConfig("/srv/site", null, null, List.of("systemctl", "restart", "site")), null);
    GitDriver driver = new GitDriver(config, failingHooks, Duration.ofMinutes(1));

    StepResult r = runStep(driver.forward("v2"), "pre-deploy");

    assertThat(r.reason()).isEqualTo("pre-deploy hook migrate.sh exited with 3").doesNotContain("hunter2");
    assertThat(ran.get(0).display()).doesNotContain("hunter2");
  }
}
