package dev.stevedore.trigger;

import dev.stevedore.common.event.RolloutStrategy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TriggerConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsLoadAndEnvironmentOverrides() throws Exception {
    Files.writeString(dir.resolve("secret"), "gh-secret-from-file\n");
    TriggerConfig c = new ConfigLoader(Map.of(
        "STEVEDORE_KAFKA_BOOTSTRAP_SERVERS", "broker:9092",
        "STEVEDORE_HTTP_PORT", "9000",
        "STEVEDORE_GITHUB_SECRET_FILE", dir.resolve("secret").toString(),
        "STEVEDORE_LIMITS_RATE_PER_SECOND", "7"))
        .load(TriggerConfig.class, TriggerMain.DEFAULTS, Optional.empty());
    assertThat(c.kafka().bootstrapServers()).isEqualTo("broker:9092");
    assertThat(c.http().port()).isEqualTo(9000);
    assertThat(c.github().secret()).isEqualTo("gh-secret-from-file");
    assertThat(c.gitlab().token()).isNull();
    assertThat(c.limits().ratePerSecond()).isEqualTo(7);
    assertThat(c.limits().bodyLimitBytes()).isEqualTo(1024 * 1024);
    assertThat(c.signing().generateEphemeralKey()).isFalse();
    assertThat(c.topics().create()).isTrue();
    assertThat(c.http().opsHost()).as("the management port is loopback by default").isEqualTo("127.0.0.1");
    assertThat(c.http().opsPort()).isEqualTo(9180);
  }

  @Test
  void everySecretShorterThanTheMinimumIsAStartUpErrorNamingItsKey() {
    assertThatThrownBy(() -> load(Map.of("STEVEDORE_GITHUB_SECRET", "short")))
        .hasMessageContaining("github.secret").hasMessageContaining("at least 16").hasMessageNotContaining("short ");
    assertThatThrownBy(() -> load(Map.of("STEVEDORE_GITLAB_TOKEN", "tok")))
        .hasMessageContaining("gitlab.token");
    assertThatThrownBy(() -> new TriggerConfig.GenericHook("ci", "token-0123456789abcdef", "hmac", null, null))
        .hasMessageContaining("hmacSecret");
    assertThat(load(Map.of("STEVEDORE_GITHUB_SECRET", "0123456789abcdef")).github().secret()).hasSize(16);
  }

  @Test
  void theManagementPortMayNotBeTheWebhookPort() {
    assertThatThrownBy(() -> load(Map.of("STEVEDORE_HTTP_PORT", "9180")))
        .hasMessageContaining("http.opsPort");
  }

  @Test
  void theWarmUpBudgetComesFromTheDefaultsTheFileAndTheEnvironment() throws Exception {
    assertThat(load(Map.of()).warmUp()).isEqualTo(new TriggerConfig.WarmUp(30_000, 0, true));
    Path file = Files.writeString(dir.resolve("warm.yml"), "warmUp:\n  durationMs: 5000\n  requests: 300\n");
    TriggerConfig fromFile = new ConfigLoader(Map.of("STEVEDORE_KAFKA_BOOTSTRAP_SERVERS", "b:9092"))
        .load(TriggerConfig.class, TriggerMain.DEFAULTS, Optional.of(file));
    assertThat(fromFile.warmUp()).isEqualTo(new TriggerConfig.WarmUp(5_000, 300, true));
    TriggerConfig fromEnv = new ConfigLoader(Map.of("STEVEDORE_KAFKA_BOOTSTRAP_SERVERS", "b:9092",
        "STEVEDORE_WARM_UP_DURATION_MS", "0", "STEVEDORE_WARM_UP_REQUESTS", "50",
        "STEVEDORE_WARM_UP_UNTIL_STEADY", "false"))
        .load(TriggerConfig.class, TriggerMain.DEFAULTS, Optional.of(file));
    assertThat(fromEnv.warmUp()).isEqualTo(new TriggerConfig.WarmUp(0, 50, false));
    assertThat(fromEnv.warmUp().boundMs()).as("a count alone is still bounded in time").isEqualTo(45_000);
    assertThat(load(Map.of("STEVEDORE_WARM_UP_DURATION_MS", "0")).warmUp().enabled()).isFalse();
    assertThat(new TriggerConfig("t", null, new dev.stevedore.common.kafka.KafkaSettings("b:9092", "t", 0, 0, 0,
        Map.of()), null, null, null, null, null, null, null, null, null, null).warmUp())
        .as("a configuration built in code without a budget has no warm-up").isEqualTo(TriggerConfig.WarmUp.NONE);
  }

  @Test
  void aWarmUpBudgetOutOfRangeIsAStartUpErrorNamingItsKey() {
    assertThatThrownBy(() -> load(Map.of("STEVEDORE_WARM_UP_DURATION_MS", "-1")))
        .hasMessageContaining("warmUp.durationMs").hasMessageContaining("not -1");
    assertThatThrownBy(() -> load(Map.of("STEVEDORE_WARM_UP_DURATION_MS", "60000")))
        .hasMessageContaining("warmUp.durationMs").hasMessageContaining("45000").hasMessageContaining("90 s");
    assertThatThrownBy(() -> load(Map.of("STEVEDORE_WARM_UP_REQUESTS", "-5")))
        .hasMessageContaining("warmUp.requests").hasMessageContaining("not -5");
    assertThatThrownBy(() -> load(Map.of("STEVEDORE_WARM_UP_DURATION_MS", "20s")))
        .hasMessageContaining("durationMs");
  }

  private static TriggerConfig load(Map<String, String> env) {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("STEVEDORE_KAFKA_BOOTSTRAP_SERVERS", "broker:9092");
    return new ConfigLoader(all).load(TriggerConfig.class, TriggerMain.DEFAULTS, Optional.empty());
  }

  @Test
  void yamlFileWithHooksRepositoriesAndTokenFiles() throws Exception {
    Files.writeString(dir.resolve("hook-token"), "hook-token-0123456789\n");
    Path file = dir.resolve("trigger.yml");
    Files.writeString(file, String.join("\n",
        "generic:",
        "  - name: jenkins",
        "    tokenFile: " + dir.resolve("hook-token"),
        "    services: [web]",
        "repositories:",
        "  - name: acme/web",
        "    services: [web]",
        "    rules:",
        "      - tag: 'v*'",
        "api:",
        "  tokens:",
        "    - name: alice",
        "      token: alice-token-0123456789",
        "      roles: [deployer]",
        ""));
    TriggerConfig c = new ConfigLoader(Map.of()).load(TriggerConfig.class, TriggerMain.DEFAULTS, Optional.of(file));
    assertThat(c.generic().get(0).token()).isEqualTo("hook-token-0123456789");
    assertThat(c.repositories().get(0).rules().get(0).versionFrom()).isEqualTo(TriggerConfig.VersionFrom.TAG);
    assertThat(c.repositories().get(0).environment()).isEqualTo("production");
    assertThat(c.api().tokens().get(0).roles()).containsExactly(TriggerConfig.Role.DEPLOYER);
  }

  @Test
  void typosAndWeakTokensStopStartUp() throws Exception {
    Path typo = dir.resolve("typo.yml");
    Files.writeString(typo, "limits:\n  bodyLimit: 5\n");
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(TriggerConfig.class, TriggerMain.DEFAULTS, Optional.of(typo)))
        .hasMessageContaining("bodyLimit");
    Path weak = dir.resolve("weak.yml");
    Files.writeString(weak, "generic:\n  - name: x\n    token: short\n");
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(TriggerConfig.class, TriggerMain.DEFAULTS, Optional.of(weak)))
        .hasMessageContaining("at least 16");
    Path twice = dir.resolve("twice.yml");
    Files.writeString(twice, "generic:\n  - name: x\n    token: token-0123456789abcdef\n"
        + "  - name: x\n    token: token-0123456789abcdeg\n");
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(TriggerConfig.class, TriggerMain.DEFAULTS, Optional.of(twice)))
        .hasMessageContaining("used twice");
    Path random = dir.resolve("random.yml");
    Files.writeString(random, "repositories:\n  - name: a/b\n    services: [web]\n    rules:\n"
        + "      - branch: main\n        versionFrom: random\n");
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(TriggerConfig.class, TriggerMain.DEFAULTS, Optional.of(random)))
        .hasMessageContaining("random");
  }

  @Test
  void rolloutPoliciesPerEnvironmentAndServiceFromYamlAndTheDefaultFromTheEnvironment() throws Exception {
    Path file = dir.resolve("rollouts.yml");
    Files.writeString(file, String.join("\n",
        "rollouts:",
        "  environments:",
        "    production:",
        "      policy: {strategy: rolling, wavePercent: 30, failureCount: 2}",
        "      services:",
        "        web: {strategy: canary, canaryHosts: 2, bakeSeconds: 120, autoPromote: false}",
        ""));
    Map<String, String> env = Map.of("STEVEDORE_KAFKA_BOOTSTRAP_SERVERS", "broker:9092",
        "STEVEDORE_ROLLOUTS_DEFAULT_POLICY_STRATEGY", "rolling", "STEVEDORE_ROLLOUTS_OVERRIDES_MIN_BAKE_SECONDS", "30");
    TriggerConfig c = new ConfigLoader(env).load(TriggerConfig.class, TriggerMain.DEFAULTS, Optional.of(file));
    dev.stevedore.trigger.rollout.RolloutPolicies policies = new dev.stevedore.trigger.rollout.RolloutPolicies(c.rollouts());
    assertThat(policies.configured("production", "web").canaryHosts()).isEqualTo(2);
    assertThat(policies.configured("production", "api").wavePercent()).isEqualTo(30);
    assertThat(policies.configured("staging", "api").strategy()).isEqualTo(RolloutStrategy.ROLLING);
    assertThat(c.rollouts().overrides().minBakeSeconds()).isEqualTo(30);
    assertThat(c.rollouts().enabled()).isTrue();
    assertThat(c.rollouts().sessionTimeoutMs()).isEqualTo(10_000);
  }

  @Test
  void deployWindowsComeFromYamlAndABadCronStopsStartUpWithTheWindowsName() throws Exception {
    Path file = dir.resolve("windows.yml");
    Files.writeString(file, String.join("\n",
        "rollouts:",
        "  windows:",
        "    production:",
        "      outside: refuse",
        "      windows:",
        "        - {name: office, kind: allow, cron: '0 9 * * MON-FRI', zone: Europe/Berlin, duration: PT8H}",
        "        - {name: year-end, kind: deny, cron: '0 0 20 12 *', duration: P14D}",
        ""));
    TriggerConfig c = new ConfigLoader(Map.of("STEVEDORE_KAFKA_BOOTSTRAP_SERVERS", "b:9092"))
        .load(TriggerConfig.class, TriggerMain.DEFAULTS, Optional.of(file));
    dev.stevedore.trigger.rollout.DeployWindows windows =
        new dev.stevedore.trigger.rollout.DeployWindows(c.rollouts().windows());
    assertThat(c.rollouts().windows().get("production").refuses()).isTrue();
    assertThat(windows.decide("production", java.time.Instant.parse("2026-12-21T09:00:00Z")).reason())
        .contains("year-end");
    assertThat(windows.decide("production", java.time.Instant.parse("2026-11-30T09:00:00Z")).open()).isTrue();

    Path bad = dir.resolve("bad-window.yml");
    Files.writeString(bad, "rollouts:\n  windows:\n    production:\n      windows:\n"
        + "        - {name: nightly, kind: allow, cron: '0 25 * * *', duration: PT1H}\n");
    assertThatThrownBy(() -> new ConfigLoader(Map.of("STEVEDORE_KAFKA_BOOTSTRAP_SERVERS", "b:9092"))
        .load(TriggerConfig.class, TriggerMain.DEFAULTS, Optional.of(bad)))
        .hasStackTraceContaining("deploy window 'nightly'").hasStackTraceContaining("'0 25 * * *'");
  }

  @Test
  void aRolloutPolicyThatMakesNoSenseIsAStartUpError() throws Exception {
    Path file = dir.resolve("bad.yml");
    Files.writeString(file, "rollouts:\n  defaultPolicy: {strategy: rolling, waveHosts: 2, wavePercent: 10}\n");
    assertThatThrownBy(() -> new ConfigLoader(Map.of("STEVEDORE_KAFKA_BOOTSTRAP_SERVERS", "b:9092"))
        .load(TriggerConfig.class, TriggerMain.DEFAULTS, Optional.of(file)))
        .hasStackTraceContaining("waveHosts or wavePercent");
  }
}
