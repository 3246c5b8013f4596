package dev.stevedore.cli.tail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.cli.CliException;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.http.Api;
import dev.stevedore.cli.out.Json;
import dev.stevedore.cli.out.Safe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * New events from the audit's export ({@code GET /api/v1/export?format=ndjson&since=}), in chain
 * order, each once. The export filters on the event time (the sender's clock), while {@code seq}
 * is the order of storage: each poll asks from {@link #OVERLAP} before the newest time seen and
 * keeps only rows with a {@code seq} above the highest seen, so an event stored late with an older
 * time (a slow agent, a clock behind) is still shown if it is within the overlap.
 */
public final class EventFeed {
  /** How far back each poll looks before the newest event time seen. */
  public static final Duration OVERLAP = Duration.ofMinutes(2);

  private final Api audit;
  private final Instant since;
  private long lastSeq = -1;
  private Instant newest;
  private boolean primed;

  /** @param since show events from then on; {@code null}: only events stored after the first poll */
  public EventFeed(Api audit, Instant since) {
    this.audit = audit;
    this.since = since;
    this.primed = since != null;
  }

  /** The rows stored since the last poll ({@code {"seq", "hash", "event"}}). */
  public List<JsonNode> poll(Instant now) {
    Instant from = newest != null ? newest.minus(OVERLAP) : since != null ? since : now.minus(OVERLAP);
    List<JsonNode> fresh = new ArrayList<>();
    try (Stream<String> lines = audit.lines("/api/v1/export", Map.of("format", "ndjson", "since", from.toString()))) {
      lines.filter(l -> !l.isBlank()).forEach(l -> {
        JsonNode row = parse(l);
        long seq = row.path("seq").asLong(-1);
        if (seq > lastSeq) {
          lastSeq = seq;
          time(row.path("event")).ifPresent(t -> newest = newest == null || t.isAfter(newest) ? t : newest);
          fresh.add(row);
        }
      });
    } catch (UncheckedIOException e) {
      throw new CliException(ExitCode.UNREACHABLE, "the audit's export broke off: " + e.getCause().getMessage());
    }
    if (!primed) {
      primed = true;
      if (newest == null) {
        newest = now;
      }
      return List.of();
    }
    return fresh;
  }

  private static JsonNode parse(String line) {
    try {
      return Json.MAPPER.readTree(line);
    } catch (IOException e) {
      throw new CliException(ExitCode.SERVER_ERROR, "the audit's export sent a line that is not JSON");
    }
  }

  private static java.util.Optional<Instant> time(JsonNode event) {
    try {
      return java.util.Optional.of(Instant.parse(event.path("time").asText()));
    } catch (DateTimeParseException e) {
      return java.util.Optional.empty();
    }
  }

  /** Which events {@code tail} shows. */
  public record Filter(String environment, String service, String host, String deployment, boolean heartbeats) {
    public boolean test(JsonNode event) {
      JsonNode data = event.path("data");
      if (!heartbeats && "agent.heartbeat".equals(shortType(event))) {
        return false;
      }
      return matches(environment, data.path("environment")) && matches(service, data.path("service"))
          && matches(host, data.path("host")) && matches(deployment, data.path("deploymentId"));
    }

    private static boolean matches(String wanted, JsonNode value) {
      return wanted == null || wanted.equals(value.asText(null));
    }
  }

  /**
   * The event's type without the CloudEvents {@code dev.stevedore.} prefix (on the topics since
   * #18; the audit stores and exports the short names, and either is read the same).
   */
  static String shortType(JsonNode event) {
    String type = event.path("type").asText("?");
    return type.startsWith("dev.stevedore.") ? type.substring("dev.stevedore.".length()) : type;
  }

  /** One line for people: time, type, service/environment, version, host, what happened, deployment. */
  public static String describe(JsonNode row) {
    JsonNode e = row.path("event");
    JsonNode d = e.path("data");
    String type = shortType(e);
    String what = switch (type) {
      case "deploy.step" -> field(d, "step") + " " + (d.path("ok").asBoolean(true) ? "ok" : "failed")
          + (d.has("durationMs") ? " " + d.path("durationMs").asText() + "ms" : "");
      case "deploy.failed", "deploy.rolled-back", "deploy.skipped", "deploy.cancelled", "version.unblocked" ->
          field(d, "failedStep").equals("-") ? field(d, "reason") : field(d, "failedStep") + ": " + field(d, "reason");
      case "deploy.requested" -> "by " + field(d, "requestedBy") + " via " + field(d, "trigger");
      case "agent.heartbeat" -> field(d, "state");
      default -> "";
    };
    return String.join("  ", field(e, "time"), Safe.text(type),
        field(d, "service") + "/" + field(d, "environment"), field(d, "version"), field(d, "host"), what.strip(),
        field(d, "deploymentId")).stripTrailing();
  }

  private static String field(JsonNode node, String name) {
    JsonNode v = node.path(name);
    return v.isMissingNode() || v.isNull() ? "-" : Safe.text(v.asText());
  }
}
