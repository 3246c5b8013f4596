package dev.stevedore.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.api.Verification;
import dev.stevedore.cli.out.Printer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stevedore verify}: the audit's hash chain walked end to end (GET /api/v1/audit/verify). */
@Command(name = "verify", description = {
    "Check the audit's hash chain from the first event to the head, with a verdict and exit code:",
    "0 the chain holds, 1 it is broken. Record the printed head hash elsewhere and compare later."})
public final class VerifyCommand extends Base {
  @Option(names = "--strict", description = "Also fail (exit 1) when events arrived under a stored id with other bytes (conflicts) or did not verify against the agents' keys (unverified).")
  boolean strict;

  @Override
  ExitCode run() {
    // a chain walk takes about 2.5 s per million events
    JsonNode answer = root().audit(Duration.ofMinutes(10)).get("/api/v1/audit/verify", Map.of());
    Verification v = read(answer, Verification.class, "verify");
    ExitCode code = verdict(v, strict);
    Printer printer = printer();
    if (printer.table()) {
      lines(v, strict).forEach(printer::line);
    } else {
      printer.print(answer, null, null);
    }
    return code;
  }

  static ExitCode verdict(Verification v, boolean strict) {
    if (!v.ok()) {
      return ExitCode.FAILED;
    }
    return strict && (v.conflicts() > 0 || v.unverified() > 0) ? ExitCode.FAILED : ExitCode.OK;
  }

  static List<String> lines(Verification v, boolean strict) {
    List<String> lines = new java.util.ArrayList<>();
    if (v.ok()) {
      lines.add("OK: the hash chain holds (" + v.checked() + " events checked; head seq " + v.headSeq()
          + ", hash " + v.headHash() + ")");
    } else {
      lines.add("BROKEN: the hash chain is broken at seq " + v.brokenAtSeq()
          + (v.brokenEventId() == null ? "" : " (event " + v.brokenEventId() + ")") + ": " + v.reason());
      lines.add("checked " + v.checked() + " events before the break; head seq " + v.headSeq() + ", hash " + v.headHash());
    }
    if (v.conflicts() > 0) {
      lines.add((strict ? "FAIL" : "warning") + ": " + v.conflicts()
          + " event(s) arrived under a stored id with other bytes (see /api/v1/audit/conflicts)");
    }
    if (v.unverified() > 0) {
      lines.add((strict ? "FAIL" : "warning") + ": " + v.unverified()
          + " agent event(s) did not verify against the trusted keys (see /api/v1/audit/unverified)");
    }
    return lines;
  }
}
