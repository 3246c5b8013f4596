package dev.stevedore.trigger.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.common.runtime.HttpProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Lifting a blocked version as {@code DELETE /api/v1/blocks/{environment}/{service}/{version}}
 * asks for it, validated: names and version from the path, a required reason and optionally the
 * hosts it is limited to (none: every host of the environment).
 */
public record UnblockRequest(String environment, String service, String version, String reason, List<String> hosts) {
  /** Most hosts one unblock may name. */
  public static final int MAX_HOSTS = 256;
  static final Set<String> FIELDS = Set.of("reason", "hosts");

  public UnblockRequest {
    environment = Validation.name("environment", environment);
    service = Validation.name("service", service);
    version = Validation.version(version);
    reason = Validation.text("reason", reason);
    if (reason == null || reason.isBlank()) {
      throw HttpProblem.badRequest("missing reason");
    }
    hosts = hosts == null ? List.of() : List.copyOf(hosts);
    if (hosts.size() > MAX_HOSTS) {
      throw HttpProblem.badRequest("hosts names more than " + MAX_HOSTS + " hosts");
    }
    hosts.forEach(h -> Validation.name("host", h));
  }

  /** Path parameters and a JSON body {@code {"reason": "...", "hosts": ["..."]}}; every refusal is a 400. */
  public static UnblockRequest parse(String environment, String service, String version, byte[] body) {
    JsonNode json = JsonBodies.object(body, FIELDS);
    return new UnblockRequest(environment, service, version, JsonBodies.text(json, "reason"), hosts(json.get("hosts")));
  }

  private static List<String> hosts(JsonNode node) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw HttpProblem.badRequest("'hosts' must be an array of host ids");
    }
    if (node.size() > MAX_HOSTS) {
      throw HttpProblem.badRequest("hosts names more than " + MAX_HOSTS + " hosts");
    }
    List<String> out = new ArrayList<>(node.size());
    for (JsonNode h : node) {
      if (!h.isTextual()) {
        throw HttpProblem.badRequest("'hosts' must be an array of host ids");
      }
      out.add(h.asText());
    }
    return out;
  }
}
