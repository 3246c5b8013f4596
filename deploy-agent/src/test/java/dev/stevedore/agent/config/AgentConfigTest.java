package dev.stevedore.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.security.Ed25519Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
  @Test
  void loadsDefaultsFileAndEnvironment(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("trigger.pub");
    Files.writeString(key, Ed25519Keys.toPem(Ed25519Keys.generate().getPublic()));
    Path file = dir.resolve("agent.yml");
    Files.writeString(file, """
        hostId: web-1
        labels: {role: web}
        services:
          demo:
            projectDirectory: /srv/demo
            strategy: recreate
            healthCheck: {url: "http://127.0.0.1:8080/health", interval: PT0.2S, deadline: PT10S}
            hooks:
              preDeploy: [{composeRun: migrate, args: [up]}]
          site:
            driver: git
            git: {repositoryDirectory: /srv/site, restartCommand: [systemctl, restart, site]}
            poll: {interval: PT1M}
        """);
    AgentConfig c = AgentConfigs.load(Optional.of(file), Map.of(
        "STEVEDORE_ENVIRONMENT", "staging",
        "STEVEDORE_KAFKA_BOOTSTRAP_SERVERS", "broker:9092",
        "STEVEDORE_TRUSTED_KEYS_FILE", key.toString()));
    assertThat(c.hostId()).isEqualTo("web-1");
    assertThat(c.environment()).isEqualTo("staging");
    assertThat(c.kafka().bootstrapServers()).isEqualTo("broker:9092");
    assertThat(c.consumerGroup()).isEqualTo("stevedore-agent-web-1");
    assertThat(TrustedKeys.parse(c.trustedKeys())).hasSize(1);
    ServiceConfig demo = c.services().get("demo");
    assertThat(demo.composeFiles()).containsExactly("docker-compose.yml");
    assertThat(demo.versionVariable()).isEqualTo("VERSION");
    assertThat(demo.recreate()).isTrue();
    assertThat(demo.rollback()).isTrue();
    assertThat(demo.healthCheck().type()).isEqualTo(HealthCheckType.HTTP);
    assertThat(demo.healthCheck().interval()).isEqualTo(Duration.ofMillis(200));
    assertThat(demo.hooks().preDeploy().get(0).composeRun()).isEqualTo("migrate");
    assertThat(c.services().get("site").git().remote()).isEqualTo("origin");
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.registryAuth().dockerConfig()).isNull();
    assertThat(c.registryAuth().helperTimeout()).isEqualTo(Duration.ofSeconds(10));
    AgentConfig withAuth = AgentConfigs.load(Optional.of(file), Map.of(
        "STEVEDORE_TRUSTED_KEYS_FILE", key.toString(),
        "STEVEDORE_REGISTRY_AUTH_DOCKER_CONFIG", "/etc/stevedore/docker",
        "STEVEDORE_REGISTRY_AUTH_HELPER_TIMEOUT", "PT3S"));
    assertThat(withAuth.registryAuth().dockerConfig()).isEqualTo("/etc/stevedore/docker");
    assertThat(withAuth.registryAuth().helperTimeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void refusesUnknownKeysAndBadValues(@TempDir Path dir) throws Exception {
    Path typo = dir.resolve("typo.yml");
    Files.writeString(typo, "hostId: web-1\nhostLabels: {a: b}\n");
    assertThatThrownBy(() -> AgentConfigs.load(Optional.of(typo), Map.of())).hasMessageContaining("hostLabels");
    Path badStrategy = dir.resolve("bad.yml");
    Files.writeString(badStrategy, "hostId: web-1\nservices: {demo: {projectDirectory: /x, strategy: yolo}}\n");
    assertThatThrownBy(() -> AgentConfigs.load(Optional.of(badStrategy), Map.of())).hasMessageContaining("strategy");
    Path noHost = dir.resolve("nohost.yml");
    Files.writeString(noHost, "environment: prod\n");
    assertThatThrownBy(() -> AgentConfigs.load(Optional.of(noHost), Map.of())).hasMessageContaining("hostId");
  }

  @Test
  void fetchWaitMustStayBelowTheConsumersRequestTimeout(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("agent.yml");
    Files.writeString(file, "hostId: web-1\n");
    // the default: a 20 s idle fetch within Kafka's 30 s request timeout
    assertThat(AgentConfigs.load(Optional.of(file), Map.of()).kafka().fetchMaxWaitMs()).isEqualTo(20_000);
    assertThatThrownBy(() -> AgentConfigs.load(Optional.of(file), Map.of("STEVEDORE_KAFKA_FETCH_MAX_WAIT_MS", "30000")))
        .hasMessageContaining("kafka.fetchMaxWaitMs (30000) must be below the consumers' request.timeout.ms (30000)");
    Path lower = dir.resolve("lower.yml");
    Files.writeString(lower, "hostId: web-1\nkafka: {properties: {request.timeout.ms: \"10000\"}}\n");
    assertThatThrownBy(() -> AgentConfigs.load(Optional.of(lower), Map.of()))
        .hasMessageContaining("(20000) must be below the consumers' request.timeout.ms (10000)");
    assertThat(AgentConfigs.load(Optional.of(lower), Map.of("STEVEDORE_KAFKA_FETCH_MAX_WAIT_MS", "5000"))
        .kafka().fetchMaxWaitMs()).isEqualTo(5_000);
  }

  @Test
  void trustedKeysNeedAtLeastOneKey() {
    assertThatThrownBy(() -> TrustedKeys.parse(java.util.List.of())).hasMessageContaining("at least one");
    assertThatThrownBy(() -> TrustedKeys.parse(java.util.List.of("-----BEGIN nonsense")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPollScheduleIsReadAtLoadAndABadOneNamesTheService(@TempDir Path dir) throws Exception {
    Path good = dir.resolve("good.yml");
    Files.writeString(good, """
        hostId: web-1
        services:
          site:
            projectDirectory: /srv/site
            image: 127.0.0.1:5000/site
            poll: {cron: "30 2 * * MON-FRI", timeZone: Europe/Berlin, tag: stable}
        """);
    ServiceConfig.PollConfig poll = AgentConfigs.load(Optional.of(good), Map.of()).services().get("site").poll();
    assertThat(poll.schedule().zone().getId()).isEqualTo("Europe/Berlin");
    assertThat(poll.tag()).isEqualTo("stable");

    Path bad = dir.resolve("bad.yml");
    Files.writeString(bad, """
        hostId: web-1
        services:
          site:
            projectDirectory: /srv/site
            image: 127.0.0.1:5000/site
            poll: {cron: "0 0 * * FUNDAY"}
        """);
    assertThatThrownBy(() -> AgentConfigs.load(Optional.of(bad), Map.of()))
        .hasMessageStartingWith("invalid configuration at services.site.poll: cron '0 0 * * FUNDAY'");
    Path badZone = dir.resolve("zone.yml");
    Files.writeString(badZone, """
        hostId: web-1
        services:
          site:
            projectDirectory: /srv/site
            image: 127.0.0.1:5000/site
            poll: {cron: "@daily", timeZone: Nowhere/Town}
        """);
    assertThatThrownBy(() -> AgentConfigs.load(Optional.of(badZone), Map.of())).hasMessageContaining("Nowhere/Town");
  }

  @Test
  void labelsComeFromTheFileOrWholeFromTheEnvironment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("agent.yml");
    Files.writeString(file, "hostId: web-1\nlabels: {role: web, zone: eu-1}\n");
    assertThat(AgentConfigs.load(Optional.of(file), Map.of()).labels()).isEqualTo(Map.of("role", "web", "zone", "eu-1"));
    // The variable replaces the file's map: no label from the file is left behind.
    assertThat(AgentConfigs.load(Optional.of(file), Map.of("STEVEDORE_LABELS", "zone=us-2, tier=canary")).labels())
        .isEqualTo(Map.of("zone", "us-2", "tier", "canary"));
    Path labels = dir.resolve("labels");
    Files.writeString(labels, "rack=r12\ntopology.example.com/zone=a\n");
    assertThat(AgentConfigs.load(Optional.of(file), Map.of("STEVEDORE_LABELS_FILE", labels.toString())).labels())
        .isEqualTo(Map.of("rack", "r12", "topology.example.com/zone", "a"));
    assertThat(AgentConfigs.load(Optional.of(file), Map.of("STEVEDORE_LABELS", "")).labels()).isEmpty();
  }

  @Test
  void refusesMalformedLabelsWithTheLabelInTheMessage(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("agent.yml");
    Files.writeString(file, "hostId: web-1\n");
    assertThatThrownBy(() -> AgentConfigs.load(Optional.of(file), Map.of("STEVEDORE_LABELS", "zone")))
        .hasMessageContaining("STEVEDORE_LABELS: 'zone' is not key=value");
    assertThatThrownBy(() -> AgentConfigs.load(Optional.of(file), Map.of("STEVEDORE_LABELS", "zone=a,zone=b")))
        .hasMessageContaining("'zone' is given twice");
    assertThatThrownBy(() -> AgentConfigs.load(Optional.of(file), Map.of("STEVEDORE_LABELS", "zone=a b")))
        .hasMessageContaining("labels.zone: value 'a b' must match");
    assertThatThrownBy(() -> AgentConfigs.load(Optional.of(file), Map.of("STEVEDORE_LABELS", "zone=")))
        .hasMessageContaining("labels.zone: value '' must match");
    Path bad = dir.resolve("bad.yml");
    Files.writeString(bad, "hostId: web-1\nlabels: {\"$(reboot)\": x}\n");
    assertThatThrownBy(() -> AgentConfigs.load(Optional.of(bad), Map.of()))
        .hasMessageContaining("labels: key '$(reboot)' must match");
    StringBuilder many = new StringBuilder();
    for (int i = 0; i <= AgentConfig.MAX_LABELS; i++) {
      many.append("k").append(i).append("=v,");
    }
    assertThatThrownBy(() -> AgentConfigs.load(Optional.of(file), Map.of("STEVEDORE_LABELS", many.toString())))
        .hasMessageContaining("at most 32 labels");
  }

  @Test
  void requestsSubscriptionIsGroupByDefaultAssignOnRequestAndNothingElse(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("agent.yml");
    Files.writeString(file, "hostId: web-1\n");
    assertThat(AgentConfigs.load(Optional.of(file), Map.of()).requests().subscription())
        .isEqualTo(RequestPolicy.Subscription.GROUP);
    assertThat(AgentConfigs.load(Optional.of(file), Map.of("STEVEDORE_REQUESTS_SUBSCRIPTION", "assign")).requests()
        .subscription()).isEqualTo(RequestPolicy.Subscription.ASSIGN);
    Path assign = dir.resolve("assign.yml");
    Files.writeString(assign, "hostId: web-1\nrequests: {subscription: ASSIGN, maxAge: P1D}\n");
    RequestPolicy policy = AgentConfigs.load(Optional.of(assign), Map.of()).requests();
    assertThat(policy.subscription()).isEqualTo(RequestPolicy.Subscription.ASSIGN);
    assertThat(policy.maxAge()).isEqualTo(Duration.ofDays(1));
    assertThat(policy.maxClockSkew()).isEqualTo(Duration.ofMinutes(5));
    Path bad = dir.resolve("bad.yml");
    Files.writeString(bad, "hostId: web-1\nrequests: {subscription: subscribe}\n");
    assertThatThrownBy(() -> AgentConfigs.load(Optional.of(bad), Map.of()))
        .hasMessageContaining("requests.subscription must be assign or group, not 'subscribe'");
  }
}
