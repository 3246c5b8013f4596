package dev.stevedore.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditConfigTest {
  @TempDir
  Path dir;

  @Test
  void loadsTheShippedDefaults() {
    AuditConfig c = new ConfigLoader(Map.of()).load(AuditConfig.class, "audit-defaults.yml", Optional.empty());
    assertThat(c.http().port()).isEqualTo(8083);
    assertThat(c.ingest().groupId()).isEqualTo("stevedore-audit");
    assertThat(c.database().sqlite()).isTrue();
    assertThat(c.database().url()).isEqualTo("jdbc:sqlite:data/audit.db");
    assertThat(c.auth().allReaderTokens()).isEmpty();
    assertThat(c.api().maxLimit()).isEqualTo(500);
  }

  @Test
  void takesFileAndEnvironmentOverridesAndSecretFiles() throws Exception {
    Path yml = dir.resolve("audit.yml");
    Files.writeString(yml, "database:\n  url: jdbc:postgresql://db:5432/stevedore\n  user: audit\ningest:\n  batchSize: 250\n");
    Path secret = dir.resolve("token");
    Files.writeString(secret, "s3cret-0123456789abcdef\n");
    AuditConfig c = new ConfigLoader(Map.of(
        "STEVEDORE_AUTH_READER_TOKEN_FILE", secret.toString(),
        "STEVEDORE_AUTH_READER_TOKENS", "a-0123456789abcdef,b-0123456789abcdef",
        "STEVEDORE_INGEST_GROUP_ID", "audit-2",
        "STEVEDORE_DATABASE_PASSWORD", "pw"))
        .load(AuditConfig.class, "audit-defaults.yml", Optional.of(yml));

    assertThat(c.database().sqlite()).isFalse();
    assertThat(c.database().user()).isEqualTo("audit");
    assertThat(c.database().password()).isEqualTo("pw");
    assertThat(c.database().toString()).doesNotContain("pw");
    assertThat(c.ingest().batchSize()).isEqualTo(250);
    assertThat(c.ingest().groupId()).isEqualTo("audit-2");
    assertThat(c.auth().allReaderTokens()).containsExactly("s3cret-0123456789abcdef", "a-0123456789abcdef", "b-0123456789abcdef");
    assertThat(c.auth().toString()).doesNotContain("s3cret");
  }

  @Test
  void aShortReaderTokenIsAStartUpErrorThatNamesTheKeyNotTheValue() {
    assertThatThrownBy(() -> new AuditConfig.Auth("short-token", List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auth.readerToken")
        .hasMessageContaining("at least 16").hasMessageNotContaining("short-token");
    assertThatThrownBy(() -> new AuditConfig.Auth("", List.of("0123456789abcdef", "abc")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesUnknownKeysAndOtherDatabases() throws Exception {
    Path yml = dir.resolve("bad.yml");
    Files.writeString(yml, "databse:\n  url: x\n");
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(AuditConfig.class, "audit-defaults.yml", Optional.of(yml)))
        .hasMessageContaining("databse");
    Files.writeString(yml, "database:\n  url: jdbc:mysql://db/x\n");
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(AuditConfig.class, "audit-defaults.yml", Optional.of(yml)))
        .hasMessageContaining("database.url");
  }
}
