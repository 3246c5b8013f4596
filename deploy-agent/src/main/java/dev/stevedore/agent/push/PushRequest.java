package dev.stevedore.agent.push;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.stevedore.common.event.Versions;
import java.io.IOException;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * A push deploy handed to whoever runs the cycles on this host (the agent daemon, or the one-shot
 * process itself), as a file {@code <stateDirectory>/push/<deploymentId>.request}. Validated on
 * both sides: a file someone else put there is checked like a request from the network.
 *
 * @param requestedBy who asked (for the log: {@code ssh <client address>} or {@code local <user>})
 */
public record PushRequest(String deploymentId, String service, String version, Instant requestedAt, String requestedBy) {
  static final Pattern ID = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
  private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  static final int MAX_BYTES = 4096;

  public PushRequest {
    if (deploymentId == null || !ID.matcher(deploymentId).matches()) {
      throw new IllegalArgumentException("deploymentId must be a UUID");
    }
    if (service == null || !Versions.isValidName(service)) {
      throw new IllegalArgumentException("service must match [a-z0-9][a-z0-9._-]{0,62}");
    }
    if (version == null || !Versions.isValid(version)) {
      throw new IllegalArgumentException(
          "version must be a tag matching ^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$ or a sha256: digest");
    }
    if (requestedAt == null) {
      throw new IllegalArgumentException("requestedAt is required");
    }
    requestedBy = requestedBy == null ? "unknown" : sanitize(requestedBy);
  }

  /** Printable ASCII only, at most 120 characters: it ends up in logs. */
  static String sanitize(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
      if (b.length() == 120) {
        break;
      }
    }
    return b.toString();
  }

  public byte[] encode() {
    try {
      return MAPPER.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static PushRequest decode(byte[] bytes) {
    if (bytes.length > MAX_BYTES) {
      throw new IllegalArgumentException("request file larger than " + MAX_BYTES + " bytes");
    }
    try {
      return MAPPER.readValue(bytes, PushRequest.class);
    } catch (IOException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
      throw new IllegalArgumentException("malformed request file: " + cause.getMessage(), e);
    }
  }
}
