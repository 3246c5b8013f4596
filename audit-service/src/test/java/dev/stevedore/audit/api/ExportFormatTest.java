package dev.stevedore.audit.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.audit.store.Views;
import org.junit.jupiter.api.Test;

class ExportFormatTest {
  static final Views.RawEvent EVENT = new Views.RawEvent(7, "e-1", "deploy.step", 0, "d-1", "h,1", "=cmd|' /C calc'!A0",
      "pr\"od", "{\"id\":\"e-1\"}", "ab12");

  @Test
  void writesNdjsonWithTheStoredEventVerbatim() {
    assertThat(ExportFormat.ndjson(EVENT)).isEqualTo("{\"seq\":7,\"hash\":\"ab12\",\"event\":{\"id\":\"e-1\"}}\n");
  }

  @Test
  void quotesCsvAndDefusesSpreadsheetFormulas() {
    assertThat(ExportFormat.csv(EVENT)).isEqualTo(
        "7,e-1,deploy.step,1970-01-01T00:00:00Z,d-1,\"h,1\",'=cmd|' /C calc'!A0,\"pr\"\"od\",ab12\n");
    assertThat(ExportFormat.field(null)).isEmpty();
    assertThat(ExportFormat.field("@SUM(1)")).isEqualTo("'@SUM(1)");
    assertThat(ExportFormat.field("line\nbreak")).isEqualTo("\"line\nbreak\"");
  }
}
