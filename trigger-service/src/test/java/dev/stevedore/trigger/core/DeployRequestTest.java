package dev.stevedore.trigger.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.runtime.HttpProblem;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeployRequestTest {
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static int status(Runnable r) {
    try {
      r.run();
    } catch (HttpProblem p) {
      return p.status();
    }
    throw new AssertionError("no problem raised");
  }

  @Test
  void readsAValidRequest() {
    DeployRequest r = DeployRequest.parse(json("""
        {"service":"web","environment":"prod","version":"v1.2.3","reason":"hotfix","notBefore":"2030-01-02T00:00:00Z"}"""),
        NOW);
    assertThat(r).isEqualTo(new DeployRequest("web", "prod", "v1.2.3", "hotfix",
        Optional.of(Instant.parse("2030-01-02T00:00:00Z"))));
  }

  @Test
  void readsForceAsABooleanAndRefusesItWithASchedule() {
    DeployRequest forced = DeployRequest.parse(json("""
        {"service":"web","environment":"prod","version":"v1","reason":"re-run","force":true}"""), NOW);
    assertThat(forced.force()).isTrue();
    assertThat(DeployRequest.parse(json("""
        {"service":"web","environment":"prod","version":"v1","reason":"x","force":false}"""), NOW).force()).isFalse();
    assertThat(DeployRequest.parse(json("""
        {"service":"web","environment":"prod","version":"v1","reason":"x"}"""), NOW).force()).isFalse();
    assertThatThrownBy(() -> DeployRequest.parse(json("""
        {"service":"web","environment":"prod","version":"v1","reason":"x","force":"yes"}"""), NOW))
        .isInstanceOf(HttpProblem.class).hasMessageContaining("'force' must be true or false");
    assertThatThrownBy(() -> DeployRequest.parse(json("""
        {"service":"web","environment":"prod","version":"v1","reason":"x","force":true,
         "notBefore":"2030-01-02T00:00:00Z"}"""), NOW))
        .isInstanceOf(HttpProblem.class).hasMessageContaining("force cannot be combined with notBefore");
  }

  @Test
  void aWindowOverrideIsAReasonAndHostileOnesAreRefused() {
    DeployRequest r = DeployRequest.parse(json("""
        {"service":"web","environment":"prod","version":"v1","reason":"x","windowOverride":"outage INC-7"}"""), NOW);
    assertThat(r.windowOverride()).contains("outage INC-7");
    assertThat(DeployRequest.parse(json("""
        {"service":"web","environment":"prod","version":"v1","reason":"x"}"""), NOW).windowOverride()).isEmpty();
    assertThat(status(() -> DeployRequest.parse(json("""
        {"service":"web","environment":"prod","version":"v1","reason":"x","windowOverride":"   "}"""), NOW)))
        .isEqualTo(400);
    assertThat(status(() -> DeployRequest.parse(json("""
        {"service":"web","environment":"prod","version":"v1","reason":"x","windowOverride":"a\u0000b"}"""), NOW)))
        .isEqualTo(400);
    assertThat(status(() -> DeployRequest.parse(json("{\"service\":\"web\",\"environment\":\"prod\",\"version\":\"v1\","
        + "\"reason\":\"x\",\"windowOverride\":\"" + "y".repeat(100_000) + "\"}"), NOW))).isEqualTo(400);
    assertThat(status(() -> DeployRequest.parse(json("""
        {"service":"web","environment":"prod","version":"v1","reason":"x","windowOverride":true}"""), NOW)))
        .isEqualTo(400);
    assertThatThrownBy(() -> DeployRequest.parse(json("""
        {"service":"web","environment":"prod","version":"v1","reason":"x","windowOverride":"why",
         "notBefore":"2030-01-02T00:00:00Z"}"""), NOW))
        .isInstanceOf(HttpProblem.class).hasMessageContaining("windowOverride cannot be combined with notBefore");
  }

  @Test
  void anUnblockNeedsAReasonValidNamesAndAtMostAListOfHostIds() {
    UnblockRequest all = UnblockRequest.parse("prod", "web", "v1.2", json("{\"reason\":\"fixed\"}"));
    assertThat(all).isEqualTo(new UnblockRequest("prod", "web", "v1.2", "fixed", java.util.List.of()));
    assertThat(UnblockRequest.parse("prod", "web", "sha256:" + "a".repeat(64),
        json("{\"reason\":\"fixed\",\"hosts\":[\"web-1\",\"web-2\"]}")).hosts()).containsExactly("web-1", "web-2");
    assertThatThrownBy(() -> UnblockRequest.parse("prod", "web", "v1", json("{\"hosts\":[\"web-1\"]}")))
        .isInstanceOf(HttpProblem.class).hasMessageContaining("missing reason");
    assertThatThrownBy(() -> UnblockRequest.parse("prod", "web", "v1", json("{\"reason\":\"  \"}")))
        .hasMessageContaining("missing reason");
    assertThatThrownBy(() -> UnblockRequest.parse("prod", "Web!", "v1", json("{\"reason\":\"x\"}")))
        .hasMessageContaining("service must match");
    assertThatThrownBy(() -> UnblockRequest.parse("prod", "web", "v1;rm", json("{\"reason\":\"x\"}")))
        .hasMessageContaining("version must be");
    assertThatThrownBy(() -> UnblockRequest.parse("prod", "web", "v1", json("{\"reason\":\"x\",\"hosts\":\"web-1\"}")))
        .hasMessageContaining("'hosts' must be an array");
    assertThatThrownBy(() -> UnblockRequest.parse("prod", "web", "v1", json("{\"reason\":\"x\",\"hosts\":[\"../x\"]}")))
        .hasMessageContaining("host must match");
    assertThatThrownBy(() -> UnblockRequest.parse("prod", "web", "v1", json("{\"reason\":\"x\",\"version\":\"v2\"}")))
        .hasMessageContaining("unknown field 'version'");
    assertThat(status(() -> UnblockRequest.parse("prod", "web", "v1", new byte[0]))).isEqualTo(400);
  }

  @Test
  void refusesUnknownFieldsMissingReasonsAndBadTimes() {
    assertThatThrownBy(() -> DeployRequest.parse(json("""
        {"service":"web","environment":"prod","version":"v1","reason":"x","servce":"typo"}"""), NOW))
        .isInstanceOf(HttpProblem.class).hasMessageContaining("unknown field 'servce'");
    assertThatThrownBy(() -> DeployRequest.parse(json("""
        {"service":"web","environment":"prod","version":"v1"}"""), NOW))
        .hasMessageContaining("missing reason");
    assertThat(status(() -> DeployRequest.parse(json("""
        {"service":"web","environment":"prod","version":"v1","reason":"x","notBefore":"tomorrow"}"""), NOW)))
        .isEqualTo(400);
    assertThatThrownBy(() -> DeployRequest.parse(json("""
        {"service":"web","environment":"prod","version":"v1","reason":"x","notBefore":"2031-01-03T00:00:00Z"}"""), NOW))
        .hasMessageContaining("366 days");
    assertThat(status(() -> DeployRequest.parse(json("""
        {"service":"web; rm -rf /","environment":"prod","version":"v1","reason":"x"}"""), NOW))).isEqualTo(400);
    assertThat(status(() -> DeployRequest.parse(json("[]"), NOW))).isEqualTo(400);
  }

  @Test
  void aRollbackBodyIsOptionalAndHoldsOnlyAReason() {
    assertThat(RollbackRequest.parse("id", new byte[0])).isEqualTo(new RollbackRequest("id", Optional.empty()));
    assertThat(RollbackRequest.parse("id", json("{\"reason\":\"slow\"}")).reason()).contains("slow");
    assertThatThrownBy(() -> RollbackRequest.parse("id", json("{\"version\":\"v0\"}")))
        .hasMessageContaining("unknown field 'version'");
  }
}
