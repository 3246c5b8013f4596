package dev.stevedore.agent.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.deploy.FleetBlocklist.Change;
import dev.stevedore.common.event.Target;
import dev.stevedore.common.event.VersionBlocked;
import dev.stevedore.common.event.VersionUnblocked;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetBlocklistTest {
  private static final Instant T = Instant.parse("2026-11-29T10:00:00Z");
  private final FleetBlocklist list = new FleetBlocklist("prod");

  static VersionBlocked block(String env, String version, Instant at) {
    return new VersionBlocked("b-" + version + at.toEpochMilli(), "stevedore://trigger", at, "r-1", env, "web", version,
        "2 of 2 canary hosts failed the health check", List.of("web-1", "web-2"), null, null);
  }

  static VersionUnblocked unblock(String version, Instant at) {
    return new VersionUnblocked("u-" + version, "stevedore://trigger", at, "u-1", "web", "prod", version,
        Target.environment("prod"), "api:alice", "fixed in the database", null, null);
  }

  @Test
  void aBlockBlocksItsVersionOnlyAndAnUnblockLiftsIt() {
    assertThat(list.apply("prod/web/v2", block("prod", "v2", T))).isInstanceOf(Change.Blocked.class);
    assertThat(list.find("prod", "web", "v2")).isNotNull();
    assertThat(list.find("prod", "web", "v3")).isNull();
    assertThat(list.find("prod", "api", "v2")).isNull();
    Change lifted = list.apply("prod/web/v2", unblock("v2", T.plusSeconds(60)));
    assertThat(lifted).isInstanceOf(Change.Lifted.class);
    assertThat(((Change.Lifted) lifted).by()).isEqualTo("api:alice: fixed in the database");
    assertThat(list.find("prod", "web", "v2")).isNull();
  }

  @Test
  void aTombstoneLiftsTheBlockOfItsKey() {
    list.apply("prod/web/v2", block("prod", "v2", T));
    assertThat(list.apply("prod/web/v2", null)).isInstanceOf(Change.Lifted.class);
    assertThat(list.find("prod", "web", "v2")).isNull();
    assertThat(list.apply("prod/web/v2", null)).isInstanceOf(Change.Unchanged.class);
  }

  @Test
  void aRecordUnderAnotherKeyThanItNamesChangesNothing() {
    // A validly signed block of v9 copied under the key of v2 must not block v2 (or v9).
    assertThat(list.apply("prod/web/v2", block("prod", "v9", T))).isInstanceOf(Change.Refused.class);
    assertThat(list.find("prod", "web", "v2")).isNull();
    assertThat(list.find("prod", "web", "v9")).isNull();
    list.apply("prod/web/v2", block("prod", "v2", T));
    assertThat(list.apply("prod/web/v2", unblock("v3", T.plusSeconds(1)))).isInstanceOf(Change.Refused.class);
    assertThat(list.find("prod", "web", "v2")).isNotNull();
  }

  @Test
  void anOlderRecordReplayedAfterANewerOneChangesNothing() {
    list.apply("prod/web/v2", block("prod", "v2", T));
    list.apply("prod/web/v2", unblock("v2", T.plusSeconds(60)));
    assertThat(list.apply("prod/web/v2", block("prod", "v2", T))).isInstanceOf(Change.Refused.class);
    assertThat(list.find("prod", "web", "v2")).isNull();
    // A newer block (the version failed again in a later rollout) does count.
    assertThat(list.apply("prod/web/v2", block("prod", "v2", T.plusSeconds(120)))).isInstanceOf(Change.Blocked.class);
  }

  @Test
  void blocksOfOtherEnvironmentsAreNotKept() {
    assertThat(list.apply("staging/web/v2", block("staging", "v2", T))).isInstanceOf(Change.Unchanged.class);
    assertThat(list.find("staging", "web", "v2")).isNull();
    assertThat(list.size()).isZero();
  }
}
