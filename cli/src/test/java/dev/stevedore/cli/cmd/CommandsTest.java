package dev.stevedore.cli.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.api.Verification;
import dev.stevedore.cli.out.Json;
import dev.stevedore.cli.tail.EventFeed;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandsTest {
  @Test
  void statusIsServicesTimesHostsWithTheLastDeploymentOfTheServiceInThatEnvironment() throws Exception {
    var hosts = Json.MAPPER.readTree("""
        {"items": [
          {"host": "web-2", "environment": "prod", "state": "idle", "agentVersion": "0.1.0", "stale": true, "lastSeen": "t2",
           "services": [{"name": "web", "version": "v1", "state": "idle"}]},
          {"host": "web-1", "environment": "prod", "state": "deploying", "agentVersion": "0.1.0", "stale": false, "lastSeen": "t1",
           "services": [{"name": "web", "version": "v2", "state": "deploying", "desiredVersion": "v3"}, {"name": "api", "version": "a7", "state": "failed"}]},
          {"host": "stg-1", "environment": "staging", "state": "idle", "stale": false, "lastSeen": "t3",
           "services": [{"name": "web", "version": "v3", "state": "idle"}]}]}
        """);
    var deployments = Json.MAPPER.readTree("""
        {"items": [
          {"id": "d3", "service": "web", "environment": "prod", "version": "v2", "status": "running", "requestedAt": "r3"},
          {"id": "d2", "service": "web", "environment": "prod", "version": "v1", "status": "succeeded", "requestedAt": "r2"},
          {"id": "d1", "service": "api", "environment": "prod", "version": "a7", "status": "failed", "requestedAt": "r1", "finishedAt": "f1"}],
         "next": null}
        """);
    List<StatusCommand.Row> rows = StatusCommand.rows(hosts, deployments, null);
    assertThat(rows).extracting(r -> r.service() + "/" + r.environment() + "/" + r.host() + "=" + r.version()
            + (r.desiredVersion() == null ? "" : "->" + r.desiredVersion()) + ":" + r.state() + ":" + r.health()
            + ":" + (r.lastDeployment() == null ? "-" : r.lastDeployment().id()))
        .containsExactly("api/prod/web-1=a7:failed:failed:d1", "web/prod/web-1=v2->v3:deploying:ok:d3",
            "web/prod/web-2=v1:idle:unknown:d3", "web/staging/stg-1=v3:idle:ok:-");
    assertThat(StatusCommand.rows(hosts, deployments, "api")).hasSize(1);
  }

  @Test
  void verifySaysOkOrBrokenWithTheHeadToRecordAndStrictFailsOnConflicts() {
    Verification ok = new Verification(true, 42, 42L, "ab12", null, null, null, 0, 0);
    assertThat(VerifyCommand.verdict(ok, true)).isEqualTo(ExitCode.OK);
    assertThat(VerifyCommand.lines(ok, false)).containsExactly(
        "OK: the hash chain holds (42 events checked; head seq 42, hash ab12)");
    Verification broken = new Verification(false, 2, 5L, "cd34", 3L, null, "event seq 3 missing (deleted); next stored is seq 4", 0, 1);
    assertThat(VerifyCommand.verdict(broken, false)).isEqualTo(ExitCode.FAILED);
    assertThat(VerifyCommand.lines(broken, false)).containsExactly(
        "BROKEN: the hash chain is broken at seq 3: event seq 3 missing (deleted); next stored is seq 4",
        "checked 2 events before the break; head seq 5, hash cd34",
        "warning: 1 agent event(s) did not verify against the trusted keys (see /api/v1/audit/unverified)");
    Verification conflicts = new Verification(true, 9, 9L, "ef", null, null, null, 2, 0);
    assertThat(VerifyCommand.verdict(conflicts, false)).isEqualTo(ExitCode.OK);
    assertThat(VerifyCommand.verdict(conflicts, true)).isEqualTo(ExitCode.FAILED);
    assertThat(VerifyCommand.lines(conflicts, true)).last().asString().startsWith("FAIL: 2 event(s)");
  }

  @Test
  void tailDescribesEachEventOnOneEscapedLineAndFilters() throws Exception {
    var step = Json.MAPPER.readTree("""
        {"seq": 7, "hash": "h", "event": {"type": "deploy.step", "time": "2026-11-29T10:00:01Z",
          "data": {"deploymentId": "d1", "host": "web-1", "service": "web", "environment": "prod", "version": "v2\\u001b[2J",
                   "step": "pull", "ok": true, "durationMs": 120}}}
        """);
    assertThat(EventFeed.describe(step)).isEqualTo("2026-11-29T10:00:01Z  deploy.step  web/prod  v2\\e[2J  web-1  pull ok 120ms  d1");
    var failed = Json.MAPPER.readTree("""
        {"seq": 8, "event": {"type": "deploy.failed", "time": "t", "data": {"deploymentId": "d1", "host": "web-1",
          "service": "web", "environment": "prod", "version": "v2", "failedStep": "up", "reason": "exit 1\\nweb-1 ok"}}}
        """);
    assertThat(EventFeed.describe(failed)).isEqualTo("t  deploy.failed  web/prod  v2  web-1  up: exit 1\\nweb-1 ok  d1");
    var heartbeat = Json.MAPPER.readTree("{\"type\": \"agent.heartbeat\", \"data\": {\"host\": \"web-1\", \"environment\": \"prod\"}}");
    assertThat(new EventFeed.Filter(null, null, null, null, false).test(heartbeat)).isFalse();
    assertThat(new EventFeed.Filter(null, null, null, null, true).test(heartbeat)).isTrue();
    // the prefixed CloudEvents type reads the same
    var prefixed = Json.MAPPER.readTree("{\"type\": \"dev.stevedore.agent.heartbeat\", \"data\": {\"host\": \"web-1\"}}");
    assertThat(new EventFeed.Filter(null, null, null, null, false).test(prefixed)).isFalse();
    var prefixedFailed = Json.MAPPER.readTree(failed.toString().replace("\"deploy.failed\"", "\"dev.stevedore.deploy.failed\""));
    assertThat(EventFeed.describe(prefixedFailed)).isEqualTo(EventFeed.describe(failed));
    assertThat(new EventFeed.Filter("prod", "web", "web-1", "d1", false).test(step.get("event"))).isTrue();
    assertThat(new EventFeed.Filter("staging", null, null, null, false).test(step.get("event"))).isFalse();
    assertThat(new EventFeed.Filter(null, "api", null, null, false).test(step.get("event"))).isFalse();
  }
}
