package dev.stevedore.trigger.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.runtime.HttpProblem;
import dev.stevedore.common.security.Secrets;
import dev.stevedore.trigger.TriggerConfig.GenericHook;
import dev.stevedore.trigger.core.DeployIntent;
import dev.stevedore.trigger.core.JsonBodies;
import dev.stevedore.trigger.core.Validation;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The generic secret-URL hook: {@code POST /hooks/generic/{token}} with
 * {@code {service, environment, version, commit?, branch?}}. Optionally signed: with an
 * {@code hmacSecret}, {@code X-Stevedore-Signature: sha256=HEX} over {@code timestamp "." body}
 * and {@code X-Stevedore-Timestamp} (unix seconds) within the replay window are required.
 */
public final class GenericHooks {
  public static final String DELIVERY = "X-Stevedore-Delivery";
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  public static final String SIGNATURE = "X-Stevedore-Signature";
  public static final String TIMESTAMP = "X-Stevedore-Timestamp";

  private static final Set<String> FIELDS = Set.of("service", "environment", "version", "commit", "branch");
  private static final Pattern UNIX_SECONDS = Pattern.compile("^[0-9]{1,12}$");

  private final List<GenericHook> hooks;
  private final long replayWindowSeconds;
  private final Clock clock;

  public GenericHooks(List<GenericHook> hooks, long replayWindowSeconds, Clock clock) {
    this.hooks = List.copyOf(hooks);
    this.replayWindowSeconds = replayWindowSeconds;
    this.clock = clock;
  }

  /** The hook whose token this is. Every token is compared, in constant time, whatever matches. */
  public Optional<GenericHook> byToken(String token) {
    GenericHook found = null;
    for (GenericHook hook : hooks) {
      if (hook.token() != null && Secrets.constantTimeEquals(hook.token(), token) && found == null) {
        found = hook;
      }
    }
    return Optional.ofNullable(found);
  }

  /** The intent of a request to {@code hook}, or a {@link HttpProblem}. */
  public DeployIntent intent(GenericHook hook, Headers headers, byte[] body) {
    String signatureDelivery = null;
    if (hook.hmacSecret() != null) {
      signatureDelivery = checkSignature(hook, headers, body);
    }
    JsonNode json = JsonBodies.object(body, FIELDS);
    String service = Validation.name("service", JsonBodies.text(json, "service"));
    String environment = Validation.name("environment", JsonBodies.text(json, "environment"));
    String version = Validation.version(JsonBodies.text(json, "version"));
    String commit = Validation.commit(JsonBodies.text(json, "commit"));
    String branch = Validation.text("branch", JsonBodies.text(json, "branch"));
    if (!hook.services().isEmpty() && !hook.services().contains(service)) {
      throw HttpProblem.of(403, "hook '" + hook.name() + "' may not deploy service " + service);
    }
    if (!hook.environments().isEmpty() && !hook.environments().contains(environment)) {
      throw HttpProblem.of(403, "hook '" + hook.name() + "' may not deploy to environment " + environment);
    }
    // A signed request: the key comes from the signed bytes only, so a replay inside the window under
    // a new delivery or idempotency header is the same deployment (issue #12, item 4). Unsigned: the
    // headers arrive with the secret URL, as authenticated as the body.
    String delivery = signatureDelivery;
    if (delivery == null) {
      delivery = Validation.deliveryId(DELIVERY, headers.get(DELIVERY));
    }
    if (delivery == null) {
      delivery = Validation.deliveryId(IDEMPOTENCY_KEY, headers.get(IDEMPOTENCY_KEY));
    }
    if (delivery == null) {
      delivery = UUID.randomUUID().toString();
    }
    String source = "generic:" + hook.name();
    return new DeployIntent(DeployIntent.Trigger.GENERIC, DeploymentIds.of(source, delivery), service, environment, version, commit,
        branch, null, source, null);
  }

  /** Checks signature and timestamp; returns a delivery id derived from the signature. */
  private String checkSignature(GenericHook hook, Headers headers, byte[] body) {
    String signature = headers.get(SIGNATURE);
    String timestamp = headers.get(TIMESTAMP);
    if (signature == null || timestamp == null) {
      throw HttpProblem.unauthorized("this hook requires " + SIGNATURE + " and " + TIMESTAMP);
    }
    if (!UNIX_SECONDS.matcher(timestamp).matches()) {
      throw HttpProblem.unauthorized(TIMESTAMP + " must be unix seconds");
    }
    if (!Hmac.verifies(hook.hmacSecret(), signature, timestamp.getBytes(StandardCharsets.US_ASCII),
        new byte[] {'.'}, body)) {
      throw HttpProblem.unauthorized("signature does not match");
    }
    long age = clock.instant().getEpochSecond() - Long.parseLong(timestamp);
    if (Math.abs(age) > replayWindowSeconds) {
      throw HttpProblem.unauthorized("timestamp outside the replay window of " + replayWindowSeconds + " s");
    }
    return DeliveryKeys.of("generic", DeliveryKeys.ascii(timestamp), DeliveryKeys.ascii(signature.toLowerCase(
        java.util.Locale.ROOT)), body);
  }
}
