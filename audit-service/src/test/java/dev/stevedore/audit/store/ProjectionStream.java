package dev.stevedore.audit.store;

import dev.stevedore.audit.Events;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.StevedoreEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A random but reproducible stream of deployment events as the audit service may receive it:
 * requests missing or late, cancellations, one to three hosts each with or without a start, a few
 * steps and any outcome (or none yet), every event displaced by up to eight places.
 */
final class ProjectionStream {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private ProjectionStream() {}

  /**
   * @param names filled with deployment id -> "d{n}", so that copies generated under different
   *     prefixes can be compared
   */
  static List<StevedoreEvent> generate(Random r, String prefix, int deployments, Map<String, String> names) {
    List<StevedoreEvent> events = new ArrayList<>();
    for (int d = 0; d < deployments; d++) {
      String id = DeploymentIds.of("stream-" + prefix, "d" + d);
      names.put(id, "d" + d);
      String service = "svc-" + d % 3;
      String environment = d % 2 == 0 ? "prod" : "staging";
      String version = "v" + d;
      Instant t = T0.plus(Duration.ofMinutes(d));
      boolean cancelled = false;
      if (r.nextDouble() < 0.85) {
        events.add(Events.requested(id, service, environment, version, t));
        cancelled = r.nextDouble() < 0.15;
        if (cancelled) {
          events.add(Events.cancelled(id, service, environment, t.plusMillis(500)));
        }
      }
      // A cancelled request mostly never reached a host.
      int hosts = cancelled ? r.nextInt(2) : 1 + r.nextInt(3);
      for (int h = 0; h < hosts; h++) {
        String host = "host-" + h;
        if (r.nextDouble() < 0.85) {
          events.add(Events.started(id, host, service, environment, version, t.plusSeconds(2 + h)));
        }
        int steps = r.nextInt(4);
        for (int k = 0; k < steps; k++) {
          events.add(Events.step(id, host, service, "s" + k, r.nextDouble() < 0.8, t.plusSeconds(3 + h + k)));
        }
        Instant end = t.plusSeconds(10 + h);
        switch (r.nextInt(6)) {
          case 0 -> events.add(Events.failed(id, host, service, environment, version, end));
          case 1 -> events.add(Events.rolledBack(id, host, service, environment, version, end));
          case 2 -> events.add(Events.skipped(id, host, service, environment, version, end));
          case 3 -> { } // no outcome yet
          default -> events.add(Events.succeeded(id, host, service, environment, version, end));
        }
      }
    }
    for (int i = 0; i < events.size(); i++) {
      int j = Math.min(events.size() - 1, i + r.nextInt(9));
      Collections.swap(events, i, j);
    }
    return events;
  }
}
