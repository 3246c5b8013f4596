package dev.stevedore.trigger.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.trigger.TriggerConfig.Repository;
import dev.stevedore.trigger.TriggerConfig.Rule;
import dev.stevedore.trigger.TriggerConfig;
import dev.stevedore.trigger.core.DeployIntent.Trigger;
import dev.stevedore.trigger.core.DeployIntent;
import java.util.List;
import org.junit.jupiter.api.Test;

class BranchRulesTest {
  static final String SHA = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
  final ObjectMapper json = new ObjectMapper();

  BranchRules rules = new BranchRules(List.of(
      new Repository("acme/web", List.of("web"), null, null),
      new Repository("acme/api", List.of("api", "api-worker"), "production", List.of(
          new Rule("release/*", null, null, "staging", TriggerConfig.VersionFrom.SHORT_COMMIT, null),
          new Rule(null, "v*", List.of("api"), null, null, null),
          new Rule("build", null, null, "ci", TriggerConfig.VersionFrom.FIELD, "/build/number")))));

  RefEvent branch(String repo, String ref) {
    return new RefEvent(Trigger.GITHUB, "push", "d-1", repo, RefEvent.Kind.BRANCH, ref, SHA, "octocat",
        json.createObjectNode());
  }

  @Test
  void byDefaultOnlyMainAndMasterDeployTheCommit() {
    HookDecision main = rules.decide(branch("acme/web", "main"));
    HookDecision master = rules.decide(branch("acme/web", "master"));
    HookDecision feature = rules.decide(branch("acme/web", "feature/x"));

    assertThat(main).isInstanceOf(HookDecision.Deploy.class);
    DeployIntent intent = ((HookDecision.Deploy) main).intents().get(0);
    assertThat(intent.service()).isEqualTo("web");
    assertThat(intent.environment()).isEqualTo("production");
    assertThat(intent.version()).isEqualTo(SHA);
    assertThat(intent.deploymentId()).isEqualTo(DeploymentIds.of("github", "d-1/production/web"));
    assertThat(master).isInstanceOf(HookDecision.Deploy.class);
    assertThat(feature).isInstanceOf(HookDecision.Ignore.class);
    assertThat(((HookDecision.Ignore) feature).reason()).contains("feature/x");
  }

  @Test
  void repositoryNamesAreCaseInsensitiveAndUnknownOnesIgnored() {
    assertThat(rules.decide(branch("ACME/Web", "main"))).isInstanceOf(HookDecision.Deploy.class);
    assertThat(((HookDecision.Ignore) rules.decide(branch("evil/repo", "main"))).reason()).contains("not configured");
  }

  @Test
  void firstMatchingRuleDecidesServicesEnvironmentAndVersion() {
    HookDecision release = rules.decide(branch("acme/api", "release/7"));
    List<DeployIntent> intents = ((HookDecision.Deploy) release).intents();
    assertThat(intents).extracting(DeployIntent::service).containsExactly("api", "api-worker");
    assertThat(intents).extracting(DeployIntent::environment).containsOnly("staging");
    assertThat(intents).extracting(DeployIntent::version).containsOnly(SHA.substring(0, 12));
    assertThat(intents).extracting(DeployIntent::deploymentId).doesNotHaveDuplicates();

    HookDecision tag = rules.decide(new RefEvent(Trigger.GITLAB, "tag_push", "d-2", "acme/api", RefEvent.Kind.TAG, "v1.4.0",
        SHA, "x", json.createObjectNode()));
    DeployIntent t = ((HookDecision.Deploy) tag).intents().get(0);
    assertThat(((HookDecision.Deploy) tag).intents()).hasSize(1);
    assertThat(t.version()).isEqualTo("v1.4.0");
    assertThat(t.environment()).isEqualTo("production");
    assertThat(t.branch()).isNull();
  }

  @Test
  void aTagDoesNotMatchABranchRuleOfTheSameName() {
    HookDecision d = rules.decide(new RefEvent(Trigger.GITHUB, "push", "d", "acme/web", RefEvent.Kind.TAG, "main", SHA, "x",
        json.createObjectNode()));
    assertThat(d).isInstanceOf(HookDecision.Ignore.class);
  }

  @Test
  void versionFromAPayloadField() throws Exception {
    HookDecision d = rules.decide(new RefEvent(Trigger.GITHUB, "workflow_run", "d", "acme/api", RefEvent.Kind.BRANCH, "build",
        SHA, "x", json.readTree("{\"build\":{\"number\":562}}")));
    assertThat(((HookDecision.Deploy) d).intents().get(0).version()).isEqualTo("562");

    HookDecision missing = rules.decide(new RefEvent(Trigger.GITHUB, "workflow_run", "d", "acme/api", RefEvent.Kind.BRANCH,
        "build", SHA, "x", json.readTree("{}")));
    assertThat(((HookDecision.Ignore) missing).reason()).contains("no version");

    HookDecision hostile = rules.decide(new RefEvent(Trigger.GITHUB, "workflow_run", "d", "acme/api", RefEvent.Kind.BRANCH,
        "build", SHA, "x", json.readTree("{\"build\":{\"number\":\"1;reboot\"}}")));
    assertThat(((HookDecision.Ignore) hostile).reason()).contains("not a valid version");
  }

  @Test
  void misconfiguredRulesFailAtStartUp() {
    assertThatThrownBy(() -> new BranchRules(List.of(new Repository("a/b", List.of(), null, null))))
        .hasMessageContaining("no services");
    assertThatThrownBy(() -> new BranchRules(List.of(new Repository("a/b", List.of("Bad Name"), null, null))))
        .hasMessageContaining("invalid service");
    assertThatThrownBy(() -> new Rule("main", "v*", null, null, null, null)).hasMessageContaining("exactly one");
    assertThatThrownBy(() -> new Rule("main", null, null, null, TriggerConfig.VersionFrom.FIELD, null)).hasMessageContaining("versionField");
  }
}
