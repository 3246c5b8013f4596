package dev.stevedore.cli.out;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class SafeTest {
  private static final String HOSTILE = "v2\u001b[2J\u001b[1;1Hdeployment ok\n\u009b31m\u202egnp.exe\u0007";

  @Test
  void controlCharactersNewlinesC1AndBidiOverridesBecomeVisibleEscapes() {
    String safe = Safe.text(HOSTILE);
    assertThat(safe).isEqualTo("v2\\e[2J\\e[1;1Hdeployment ok\\n\\u009b31m\\u202egnp.exe\\u0007");
    assertThat(safe).doesNotContain("\u001b", "\u009b", "\u202e", "\u0007", "\n");
  }

  @Test
  void ordinaryTextIncludingNonLatinLettersIsUnchanged() {
    assertThat(Safe.text("web-1 Grüße 日本 ✓ v1.2.3")).isEqualTo("web-1 Grüße 日本 ✓ v1.2.3");
    assertThat(Safe.cell(null)).isEqualTo("-");
  }

  @Test
  void jsonOutputEscapesEveryUnsafeCharacterAndStillCarriesTheExactData() throws Exception {
    JsonNode node = Json.MAPPER.createObjectNode().put("version", HOSTILE);
    String pretty = Json.pretty(node);
    assertThat(pretty).doesNotContain("\u001b", "\u009b", "\u202e", "\u0007");
    assertThat(pretty).contains("\\u001B[2J").contains("\\u009b").contains("\\u202e");
    assertThat(Json.MAPPER.readTree(pretty).get("version").asText()).isEqualTo(HOSTILE);
    String compact = Json.compact(node);
    assertThat(compact).doesNotContain("\u001b", "\u009b", "\u202e", "\u0007", "\n");
    assertThat(Json.MAPPER.readTree(compact)).isEqualTo(node);
  }

  @Test
  void yamlOutputShowsTheEscapedText() {
    String yaml = Json.yaml(Json.MAPPER.createObjectNode().put("reason", HOSTILE));
    assertThat(yaml).doesNotContain("\u001b", "\u009b", "\u202e", "\u0007").contains("\\e[2J").contains("\\u202e");
    assertThat(yaml.strip().lines()).hasSize(1);
  }

  @Test
  void aTableCellIsAlwaysOneLineAndColumnsAlign() {
    String text = new Table("HOST", "VERSION").row("web-1", "v1\nweb-9  v9").row("web-10", null).render();
    assertThat(text).isEqualTo("""
        HOST    VERSION
        web-1   v1\\nweb-9  v9
        web-10  -
        """);
  }
}
