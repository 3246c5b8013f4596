package dev.stevedore.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.cli.CliException;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.StevedoreCommand;
import dev.stevedore.cli.out.Json;
import dev.stevedore.cli.out.Printer;
import dev.stevedore.cli.out.Safe;
import dev.stevedore.cli.tail.EventFeed;
import dev.stevedore.cli.time.Times;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code stevedore tail}: follow the audit's events as they are stored. The audit has no streaming
 * endpoint, so its export is polled (see {@link EventFeed}).
 */
@Command(name = "tail", description = {"Follow deployment events live, as the audit stores them (Ctrl-C to stop).",
    "Heartbeats are left out unless --heartbeats."})
public final class TailCommand extends Base {
  @Option(names = {"-e", "--environment"}, paramLabel = "ENV", description = "Only this environment.") String environment;
  @Option(names = "--service", paramLabel = "SERVICE", description = "Only this service.") String service;
  @Option(names = "--host", paramLabel = "HOST", description = "Only this host.") String host;
  @Option(names = "--deployment", paramLabel = "ID", description = "Only this deployment.") String deployment;
  @Option(names = "--heartbeats", description = "Show agent heartbeats too.") boolean heartbeats;

  @Option(names = "--since", paramLabel = "WHEN", description = "Start with the events since then (RFC 3339, or 10m for ten minutes ago); default: only new ones.")
  String since;

  @Option(names = {"-n", "--count"}, paramLabel = "N", description = "Stop after N events.") Integer count;

  @Option(names = "--for", paramLabel = "DURATION", converter = StevedoreCommand.DurationConverter.class,
      description = "Stop after this long.") Duration duration;

  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s", converter = StevedoreCommand.DurationConverter.class,
      description = "How often the audit is asked (default: ${DEFAULT-VALUE}).") Duration interval;

  @Override
  ExitCode run() {
    Instant start = clock.instant();
    Instant deadline = duration == null ? null : start.plus(duration);
    EventFeed feed = new EventFeed(root().audit(), since == null ? null : since(since, start));
    EventFeed.Filter filter = new EventFeed.Filter(environment, service, host, deployment, heartbeats);
    Printer printer = printer();
    int shown = 0;
    boolean first = true;
    while (true) {
      List<JsonNode> events = feed.poll(clock.instant());
      if (first) {
        // on stderr, so scripts reading stdout see only events
        printer.warn("following the audit's events" + (since == null ? " from now" : "") + " (Ctrl-C to stop)");
        first = false;
      }
      for (JsonNode line : events) {
        if (!filter.test(line.path("event"))) {
          continue;
        }
        print(printer, line);
        shown++;
        if (count != null && shown >= count) {
          return ExitCode.OK;
        }
      }
      if (deadline != null && !clock.instant().isBefore(deadline)) {
        return ExitCode.OK;
      }
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ExitCode.OK;
      }
    }
  }

  private static void print(Printer printer, JsonNode line) {
    switch (printer.format()) {
      case JSON -> printer.raw(Json.compact(line) + "\n");
      case YAML -> printer.raw("---\n" + Json.yaml(line));
      case TABLE -> printer.raw(EventFeed.describe(line) + "\n");
    }
  }

  private static Instant since(String text, Instant now) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return now.minus(Times.duration(text));
      } catch (IllegalArgumentException bad) {
        throw CliException.usage("--since: '" + Safe.text(text) + "' is neither an RFC 3339 time nor a duration such as 10m");
      }
    }
  }
}
