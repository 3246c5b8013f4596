package dev.stevedore.audit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.audit.store.DeploymentFilter;
import dev.stevedore.audit.store.Views;
import dev.stevedore.common.runtime.HttpProblem;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QueryParamsTest {
  static QueryParams params(String... kv) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.computeIfAbsent(kv[i], k -> new java.util.ArrayList<>()).add(kv[i + 1]);
    }
    return QueryParams.of(m, QueryParams.DEPLOYMENT_PARAMS);
  }

  @Test
  void buildsAFilterFromEveryParameter() {
    String cursor = QueryParams.Cursors.encode(new Views.Position(1234, "dep-1"));
    DeploymentFilter f = params("service", "web", "environment", "prod", "host", "web-1", "status", "failed",
        "since", "2026-01-01T00:00:00Z", "until", "2026-02-01T00:00:00+01:00", "limit", "20", "cursor", cursor)
        .deploymentFilter(null, 50, 500);

    assertThat(f.service()).isEqualTo("web");
    assertThat(f.environment()).isEqualTo("prod");
    assertThat(f.host()).isEqualTo("web-1");
    assertThat(f.status()).isEqualTo("failed");
    assertThat(f.since()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
    assertThat(f.until()).isEqualTo(Instant.parse("2026-01-31T23:00:00Z").toEpochMilli());
    assertThat(f.limit()).isEqualTo(20);
    assertThat(f.after()).isEqualTo(new Views.Position(1234, "dep-1"));
  }

  @Test
  void defaultsAndCapsTheLimit() {
    assertThat(params().limit(50, 500)).isEqualTo(50);
    assertThat(params("limit", "501").limit(50, 500)).isEqualTo(500);
    assertThat(params("limit", "99999999999999999999").limit(50, 500)).isEqualTo(500);
    assertThat(params("limit", "1").limit(50, 500)).isEqualTo(1);
    assertThat(params("limit", "0000000000007").limit(50, 500)).isEqualTo(7);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "000", "-1", "ten", "1.5", "1e3", " 5", "+5", "", "0x10"})
  void rejectsAnInvalidLimit(String limit) {
    assertThatThrownBy(() -> params("limit", limit).limit(50, 500)).isInstanceOf(HttpProblem.class)
        .hasMessageContaining("limit");
  }

  @Test
  void rejectsUnknownAndRepeatedParameters() {
    assertThatThrownBy(() -> params("servce", "web")).isInstanceOf(HttpProblem.class).hasMessageContaining("unknown");
    assertThatThrownBy(() -> params("service", "a", "service", "b")).isInstanceOf(HttpProblem.class)
        .hasMessageContaining("more than once");
    assertThatThrownBy(() -> params("service", "x".repeat(1025))).isInstanceOf(HttpProblem.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a\u0000b", "line\nbreak", "del\u007f", "\uD800lone"})
  void rejectsBadNames(String name) {
    assertThatThrownBy(() -> params("service", name).name("service")).isInstanceOf(HttpProblem.class);
  }

  @Test
  void acceptsHostileButPrintableNamesForBoundParameters() {
    assertThat(params("service", "x' OR '1'='1").name("service")).isEqualTo("x' OR '1'='1");
    assertThat(params("host", "h\uD83D\uDE00").name("host")).isEqualTo("h\uD83D\uDE00");
    assertThatThrownBy(() -> params("host", "h".repeat(256)).name("host")).isInstanceOf(HttpProblem.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"yesterday", "2026-01-01", "2026-13-01T00:00:00Z", "1700000000000",
      "2026-01-01T00:00:00Z2026-01-01T00:00:00Z2026"})
  void rejectsBadTimes(String time) {
    assertThatThrownBy(() -> params("since", time).instant("since")).isInstanceOf(HttpProblem.class)
        .hasMessageContaining("RFC 3339");
  }

  @Test
  void rejectsAnInvertedRange() {
    assertThatThrownBy(() -> params("since", "2026-02-01T00:00:00Z", "until", "2026-01-01T00:00:00Z")
        .deploymentFilter(null, 50, 500)).isInstanceOf(HttpProblem.class).hasMessageContaining("since");
  }

  @ParameterizedTest
  @ValueSource(strings = {"exploded", "SUCCEEDED", "succeeded ", "running;"})
  void rejectsUnknownStatuses(String status) {
    assertThatThrownBy(() -> params("status", status).status()).isInstanceOf(HttpProblem.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"garbage", "djE6YWJjOmlk", "djI6MTp4", "djE6MTIz", "!!!!", "djE6OTk5OTk5OTk5OTk5OTk5OTk5OTk5OjE"})
  void rejectsForgedCursors(String cursor) {
    assertThatThrownBy(() -> QueryParams.Cursors.decode(cursor)).isInstanceOf(HttpProblem.class)
        .hasMessageContaining("cursor");
  }

  @Test
  void cursorsRoundTrip() {
    Views.Position p = new Views.Position(-5, "id:with:colons");
    assertThat(QueryParams.Cursors.decode(QueryParams.Cursors.encode(p))).isEqualTo(p);
  }

  @Test
  void parsesDoraWindows() {
    Set<String> allowed = Set.of("window");
    assertThat(QueryParams.of(Map.of(), allowed).window()).isEqualTo(Duration.ofDays(30));
    assertThat(QueryParams.of(Map.of("window", List.of("12h")), allowed).window()).isEqualTo(Duration.ofHours(12));
    assertThat(QueryParams.of(Map.of("window", List.of("366d")), allowed).window()).isEqualTo(Duration.ofDays(366));
    for (String bad : List.of("367d", "0h", "P30D", "30", "d", "-1d", "99999d")) {
      assertThatThrownBy(() -> QueryParams.of(Map.of("window", List.of(bad)), allowed).window())
          .as(bad).isInstanceOf(HttpProblem.class);
    }
  }

  @Test
  void parsesDoraBucketsAndRefusesTooManyOfThem() {
    Set<String> allowed = Set.of("window", "bucket");
    assertThat(QueryParams.of(Map.of(), allowed).bucket(Duration.ofDays(30))).isEqualTo(Duration.ofDays(1));
    assertThat(QueryParams.of(Map.of(), allowed).bucket(Duration.ofDays(2))).isEqualTo(Duration.ofHours(1));
    assertThat(QueryParams.of(Map.of("bucket", List.of("1h")), allowed).bucket(Duration.ofDays(30)))
        .isEqualTo(Duration.ofHours(1));
    assertThat(QueryParams.of(Map.of("bucket", List.of("1d")), allowed).bucket(Duration.ofDays(366)))
        .isEqualTo(Duration.ofDays(1));
    // 366 days of hours would be 8,784 buckets
    assertThatThrownBy(() -> QueryParams.of(Map.of("window", List.of("366d"), "bucket", List.of("1h")), allowed)
        .bucket(Duration.ofDays(366))).isInstanceOf(HttpProblem.class).hasMessageContaining("too many");
    for (String bad : List.of("2h", "1w", "", "1H", "<script>", "1d ")) {
      assertThatThrownBy(() -> QueryParams.of(Map.of("bucket", List.of(bad)), allowed).bucket(Duration.ofDays(1)))
          .as(bad).isInstanceOf(HttpProblem.class);
    }
  }

  @Test
  void acceptsOnlyKnownExportFormats() {
    Set<String> allowed = Set.of("format");
    assertThat(QueryParams.of(Map.of(), allowed).format()).isEqualTo("ndjson");
    assertThat(QueryParams.of(Map.of("format", List.of("csv")), allowed).format()).isEqualTo("csv");
    assertThatThrownBy(() -> QueryParams.of(Map.of("format", List.of("xml")), allowed).format())
        .isInstanceOf(HttpProblem.class);
  }
}
