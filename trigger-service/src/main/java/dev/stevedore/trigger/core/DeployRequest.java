package dev.stevedore.trigger.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.common.runtime.HttpProblem;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import dev.stevedore.common.event.RolloutPolicy;

/**
 * A manual deploy as {@code POST /api/v1/deployments} asks for it, validated: names, version, a
 * reason, and optionally a time not before which it is published, or {@code force} (deploy even
 * where the version already runs; not with {@code notBefore}).
 */
public record DeployRequest(String service, String environment, String version, String reason,
    Optional<Instant> notBefore, boolean force, Optional<RolloutPolicy> rollout, Optional<String> windowOverride) {
  /** How far ahead a deploy may be scheduled. */
  public static final Duration MAX_HORIZON = Duration.ofDays(366);
  static final Set<String> FIELDS = Set.of("service", "environment", "version", "notBefore", "reason", "force",
      "rollout", "windowOverride");

  public DeployRequest {
    service = Validation.name("service", service);
    environment = Validation.name("environment", environment);
    version = Validation.version(version);
    reason = Validation.text("reason", reason);
    if (reason == null || reason.isBlank()) {
      throw HttpProblem.badRequest("missing reason");
    }
    notBefore = notBefore == null ? Optional.empty() : notBefore;
    if (force && notBefore.isPresent()) {
      throw HttpProblem.badRequest("force cannot be combined with notBefore: a schedule is not forced");
    }
    rollout = rollout == null ? Optional.empty() : rollout;
    if (rollout.isPresent() && notBefore.isPresent()) {
      throw HttpProblem.badRequest("rollout cannot be combined with notBefore: a schedule uses the configured policy");
    }
    windowOverride = windowOverride == null ? Optional.empty()
        : windowOverride.map(w -> Validation.text("windowOverride", w));
    if (windowOverride.isPresent() && windowOverride.get().isBlank()) {
      throw HttpProblem.badRequest("windowOverride must give the reason for deploying outside the deploy windows");
    }
    if (windowOverride.isPresent() && notBefore.isPresent()) {
      throw HttpProblem.badRequest("windowOverride cannot be combined with notBefore: a schedule respects the windows");
    }
  }

  public DeployRequest(String service, String environment, String version, String reason,
      Optional<Instant> notBefore, boolean force, Optional<RolloutPolicy> rollout) {
    this(service, environment, version, reason, notBefore, force, rollout, Optional.empty());
  }

  public DeployRequest(String service, String environment, String version, String reason,
      Optional<Instant> notBefore, boolean force) {
    this(service, environment, version, reason, notBefore, force, Optional.empty());
  }

  /** A request that is not forced. */
  public DeployRequest(String service, String environment, String version, String reason,
      Optional<Instant> notBefore) {
    this(service, environment, version, reason, notBefore, false);
  }

  /** Reads a JSON body; every refusal is a 400 with the reason. {@code now} bounds {@code notBefore}. */
  public static DeployRequest parse(byte[] body, Instant now) {
    JsonNode json = JsonBodies.object(body, FIELDS);
    return new DeployRequest(JsonBodies.text(json, "service"), JsonBodies.text(json, "environment"),
        JsonBodies.text(json, "version"), JsonBodies.text(json, "reason"),
        notBefore(JsonBodies.text(json, "notBefore"), now), force(json), rollout(json.get("rollout")),
        Optional.ofNullable(JsonBodies.text(json, "windowOverride")));
  }

  /** A per-request policy override; the bounds are checked where the policy is resolved. */
  private static Optional<RolloutPolicy> rollout(JsonNode node) {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isObject()) {
      throw HttpProblem.badRequest("'rollout' must be an object such as {\"strategy\": \"canary\", \"canaryHosts\": 2}");
    }
    try {
      return Optional.of(ROLLOUT_READER.treeToValue(node, RolloutPolicy.class));
    } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
      throw HttpProblem.badRequest("rollout: " + (e.getCause() == null ? e.getOriginalMessage() : e.getCause().getMessage()));
    } catch (java.io.IOException | IllegalArgumentException e) {
      String message = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
          : e.getMessage();
      throw HttpProblem.badRequest("rollout: " + message);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper ROLLOUT_READER =
      dev.stevedore.common.runtime.JsonMappers.events(false);

  private static boolean force(JsonNode json) {
    JsonNode value = json.get("force");
    if (value == null || value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      throw HttpProblem.badRequest("'force' must be true or false");
    }
    return value.booleanValue();
  }

  private static Optional<Instant> notBefore(String text, Instant now) {
    if (text == null) {
      return Optional.empty();
    }
    Instant at;
    try {
      at = OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw HttpProblem.badRequest("notBefore must be an RFC 3339 time such as 2030-01-31T12:00:00Z");
    }
    if (at.isAfter(now.plus(MAX_HORIZON))) {
      throw HttpProblem.badRequest("notBefore is more than " + MAX_HORIZON.toDays() + " days ahead");
    }
    return Optional.of(at);
  }
}
