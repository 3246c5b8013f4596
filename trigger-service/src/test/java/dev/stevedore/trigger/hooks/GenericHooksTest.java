package dev.stevedore.trigger.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.trigger.TriggerConfig.GenericHook;
import dev.stevedore.trigger.core.DeployIntent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GenericHooksTest {
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  final GenericHook plain = new GenericHook("ci", "token-aaaaaaaaaaaaaaaa", null, List.of(), List.of());
  final GenericHook signed = new GenericHook("signed", "token-bbbbbbbbbbbbbbbb", "hmac-secret-0123456789", List.of(), List.of());
  final GenericHooks hooks = new GenericHooks(List.of(plain, signed), 300, Clock.fixed(NOW, ZoneOffset.UTC));
  static final byte[] BODY = "{\"service\":\"web\",\"environment\":\"prod\",\"version\":\"v1\"}".getBytes(StandardCharsets.UTF_8);

  static int status(Runnable r) {
    try {
      r.run();
      return 0;
    } catch (HttpProblem e) {
      return e.status();
    }
  }

  @Test
  void findsTheHookByTokenOnly() {
    assertThat(hooks.byToken("token-aaaaaaaaaaaaaaaa")).contains(plain);
    assertThat(hooks.byToken("token-aaaaaaaaaaaaaaab")).isEmpty();
    assertThat(hooks.byToken("")).isEmpty();
    assertThat(hooks.byToken(null)).isEmpty();
  }

  @Test
  void deliveryHeaderMakesTheIdDeterministic() {
    DeployIntent a = hooks.intent(plain, Map.of("X-Stevedore-Delivery", "d1")::get, BODY);
    DeployIntent b = hooks.intent(plain, Map.of("Idempotency-Key", "d1")::get, BODY);
    DeployIntent c = hooks.intent(plain, Map.<String, String>of()::get, BODY);
    assertThat(a.deploymentId()).isEqualTo(DeploymentIds.of("generic:ci", "d1")).isEqualTo(b.deploymentId());
    assertThat(c.deploymentId()).isNotEqualTo(a.deploymentId());
  }

  @Test
  void signedHookChecksSignatureAndWindow() {
    String ts = String.valueOf(NOW.getEpochSecond() - 299);
    String sig = Hmac.header("hmac-secret-0123456789", ts.getBytes(), ".".getBytes(), BODY);
    DeployIntent ok = hooks.intent(signed, Map.of("X-Stevedore-Timestamp", ts, "X-Stevedore-Signature", sig)::get, BODY);
    DeployIntent replay = hooks.intent(signed, Map.of("X-Stevedore-Timestamp", ts, "X-Stevedore-Signature", sig)::get, BODY);
    assertThat(replay.deploymentId()).as("a replay inside the window is the same deployment").isEqualTo(ok.deploymentId());

    String old = String.valueOf(NOW.getEpochSecond() - 301);
    String oldSig = Hmac.header("hmac-secret-0123456789", old.getBytes(), ".".getBytes(), BODY);
    assertThat(status(() -> hooks.intent(signed, Map.of("X-Stevedore-Timestamp", old, "X-Stevedore-Signature", oldSig)::get, BODY)))
        .isEqualTo(401);
    assertThat(status(() -> hooks.intent(signed, Map.of("X-Stevedore-Timestamp", ts, "X-Stevedore-Signature", oldSig)::get, BODY)))
        .isEqualTo(401);
    assertThat(status(() -> hooks.intent(signed, Map.of("X-Stevedore-Timestamp", ts)::get, BODY))).isEqualTo(401);
  }

  @Test
  void allowListsAre403() {
    GenericHook narrow = new GenericHook("n", "token-cccccccccccccccc", null, List.of("api"), List.of("staging"));
    assertThat(status(() -> hooks.intent(narrow, Map.<String, String>of()::get, BODY))).isEqualTo(403);
  }

  @Test
  void fieldsAreValidated() {
    assertThat(status(() -> hooks.intent(plain, Map.<String, String>of()::get,
        "{\"service\":\"web\",\"environment\":\"prod\",\"version\":\"v1\",\"commit\":\"XYZ\"}".getBytes()))).isEqualTo(400);
    assertThat(status(() -> hooks.intent(plain, Map.<String, String>of()::get,
        "{\"service\":\"web\",\"environment\":\"prod\",\"version\":\"v1\",\"branch\":\"a\\nb\"}".getBytes()))).isEqualTo(400);
    assertThat(status(() -> hooks.intent(plain, Map.<String, String>of()::get,
        "{\"service\":\"web\",\"environment\":\"prod\"}".getBytes()))).isEqualTo(400);
    assertThat(status(() -> hooks.intent(plain, Map.<String, String>of()::get,
        "{\"service\":\"web\",\"environment\":\"prod\",\"version\":null}".getBytes()))).isEqualTo(400);
  }

  @Test
  void aSignedRequestReplayedWithANewDeliveryHeaderIsTheSameDeployment() {
    String ts = String.valueOf(NOW.getEpochSecond() - 10);
    String sig = Hmac.header("hmac-secret-0123456789", ts.getBytes(), ".".getBytes(), BODY);
    DeployIntent first = hooks.intent(signed, Map.of("X-Stevedore-Timestamp", ts, "X-Stevedore-Signature", sig,
        "X-Stevedore-Delivery", "d1")::get, BODY);
    DeployIntent replay = hooks.intent(signed, Map.of("X-Stevedore-Timestamp", ts, "X-Stevedore-Signature", sig,
        "X-Stevedore-Delivery", "d2")::get, BODY);
    DeployIntent keyed = hooks.intent(signed, Map.of("X-Stevedore-Timestamp", ts, "X-Stevedore-Signature", sig,
        "Idempotency-Key", "k3")::get, BODY);
    assertThat(replay.deploymentId()).isEqualTo(first.deploymentId()).isEqualTo(keyed.deploymentId());
  }
}
