package dev.stevedore.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The launcher's records with secrets print none of them. */
class LocalSecrecyTest {
  private static final String SECRET = "hunter2-s3cr3t";

  @Test
  void secretsShowTheirFilesNotTheTokens() {
    LocalSecrets s = new LocalSecrets(Path.of("/d/trigger-private.pem"), Path.of("/d/trigger-public.pem"),
        Path.of("/d/webhook-token"), SECRET, SECRET + "-reader");
    assertThat(s.toString()).doesNotContain(SECRET).contains("/d/webhook-token");
  }

  @Test
  void kafkaSettingsShowPropertyNamesOnly() {
    LocalConfig.Kafka k = new LocalConfig.Kafka("", 9092, 9093, null, Map.of("sasl.jaas.config", "password=\"" + SECRET + "\""));
    assertThat(k.toString()).doesNotContain(SECRET).contains("sasl.jaas.config");
    LocalConfig.Database db = new LocalConfig.Database("jdbc:postgresql://127.0.0.1/audit", "audit", SECRET);
    assertThat(db.toString()).doesNotContain(SECRET);
  }
}
