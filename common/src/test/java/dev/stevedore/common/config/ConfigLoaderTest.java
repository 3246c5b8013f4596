package dev.stevedore.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.kafka.KafkaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  record Http(int port, String host) {}

  record TestConfig(Http http, KafkaSettings kafka, String token, List<String> allowedServices) {}

  @TempDir Path dir;

  @Test
  void defaultsAloneGiveAWholeConfig() {
    TestConfig config = new ConfigLoader(Map.of()).load(TestConfig.class, "test-defaults.yml", Optional.empty());
    assertThat(config.http()).isEqualTo(new Http(8080, "127.0.0.1"));
    assertThat(config.kafka().bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(config.token()).isEmpty();
  }

  @Test
  void theFileOverridesDefaultsAndTheEnvironmentOverridesTheFile() throws Exception {
    Path file = dir.resolve("c.yml");
    Files.writeString(file, "http:\n  port: 9000\nkafka:\n  bootstrapServers: broker-a:9092\n  properties:\n    security.protocol: SSL\n");
    Map<String, String> env = Map.of(
        "STEVEDORE_KAFKA_BOOTSTRAP_SERVERS", "broker-b:9092",
        "STEVEDORE_ALLOWED_SERVICES", "web, api");
    TestConfig config = new ConfigLoader(env).load(TestConfig.class, "test-defaults.yml", Optional.of(file));
    assertThat(config.http().port()).isEqualTo(9000);
    assertThat(config.http().host()).isEqualTo("127.0.0.1");
    assertThat(config.kafka().bootstrapServers()).isEqualTo("broker-b:9092");
    assertThat(config.kafka().properties()).containsEntry("security.protocol", "SSL");
    assertThat(config.allowedServices()).containsExactly("web", "api");
  }

  @Test
  void theConfigFileCanBeNamedByTheEnvironment() throws Exception {
    Path file = dir.resolve("c.yml");
    Files.writeString(file, "token: from-file\n");
    TestConfig config = new ConfigLoader(Map.of("STEVEDORE_CONFIG", file.toString()))
        .load(TestConfig.class, "test-defaults.yml", Optional.empty());
    assertThat(config.token()).isEqualTo("from-file");
  }

  @Test
  void secretsComeFromFilesNamedInTheEnvironmentOrTheYaml() throws Exception {
    Path secret = dir.resolve("token");
    Files.writeString(secret, "s3cret\n");
    TestConfig fromEnv = new ConfigLoader(Map.of("STEVEDORE_TOKEN_FILE", secret.toString()))
        .load(TestConfig.class, "test-defaults.yml", Optional.empty());
    assertThat(fromEnv.token()).isEqualTo("s3cret");

    Path file = dir.resolve("c.yml");
    Files.writeString(file, "tokenFile: " + secret + "\n");
    TestConfig fromYaml = new ConfigLoader(Map.of()).load(TestConfig.class, "test-defaults.yml", Optional.of(file));
    assertThat(fromYaml.token()).isEqualTo("s3cret");
  }

  @Test
  void kafkaClientPropertiesComeFromTheEnvironmentToo() throws Exception {
    Path file = dir.resolve("c.yml");
    Files.writeString(file, "kafka:\n  properties:\n    security.protocol: SSL\n    linger.ms: 5\n");
    Path jaas = dir.resolve("jaas");
    Files.writeString(jaas, "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\" password=\"b\";\n");
    Map<String, String> env = Map.of(
        "STEVEDORE_KAFKA_PROPERTIES_SECURITY_PROTOCOL", "SASL_SSL",
        "STEVEDORE_KAFKA_PROPERTIES_SASL_MECHANISM", "PLAIN",
        "STEVEDORE_KAFKA_PROPERTIES_SASL_JAAS_CONFIG_FILE", jaas.toString(),
        "STEVEDORE_KAFKA_PROPERTIES_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/truststore.p12");
    TestConfig config = new ConfigLoader(env).load(TestConfig.class, "test-defaults.yml", Optional.of(file));
    assertThat(config.kafka().properties()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "security.protocol", "SASL_SSL",
        "linger.ms", "5",
        "sasl.mechanism", "PLAIN",
        "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\" password=\"b\";",
        "ssl.truststore.location", "/etc/kafka/truststore.p12"));
    assertThat(config.kafka().toString()).contains("sasl.jaas.config").doesNotContain("password");
  }

  @Test
  void aMalformedKafkaPropertyVariableIsAClearError() {
    for (String bad : List.of("STEVEDORE_KAFKA_PROPERTIES_SASL__MECHANISM", "STEVEDORE_KAFKA_PROPERTIES_sasl_mechanism",
        "STEVEDORE_KAFKA_PROPERTIES__FILE")) {
      assertThatThrownBy(() -> new ConfigLoader(Map.of(bad, "x")).load(TestConfig.class, "test-defaults.yml",
          Optional.empty()))
          .isInstanceOf(ConfigLoader.ConfigException.class)
          .hasMessageContaining(bad);
    }
  }

  record Hook(String name, String token) {}

  record WithList(List<Hook> hooks) {}

  @Test
  void fileKeysAreResolvedInsideListEntriesToo() throws Exception {
    Path secret = dir.resolve("hook-token");
    Files.writeString(secret, "t0ken\n");
    Path file = dir.resolve("c.yml");
    Files.writeString(file, "hooks:\n  - name: ci\n    tokenFile: " + secret + "\n  - name: cd\n    token: inline\n");
    WithList config = new ConfigLoader(Map.of()).load(WithList.class, "list-defaults.yml", Optional.of(file));
    assertThat(config.hooks()).containsExactly(new Hook("ci", "t0ken"), new Hook("cd", "inline"));
  }

  @Test
  void aListKeyReadFromAFileTakesOneElementPerLine() throws Exception {
    Path list = dir.resolve("services");
    Files.writeString(list, "web\n\n  api  \n");
    TestConfig fromEnv = new ConfigLoader(Map.of("STEVEDORE_ALLOWED_SERVICES_FILE", list.toString()))
        .load(TestConfig.class, "test-defaults.yml", Optional.empty());
    assertThat(fromEnv.allowedServices()).containsExactly("web", "api");

    Path file = dir.resolve("c.yml");
    Files.writeString(file, "allowedServicesFile: " + list + "\n");
    TestConfig fromYaml = new ConfigLoader(Map.of()).load(TestConfig.class, "test-defaults.yml", Optional.of(file));
    assertThat(fromYaml.allowedServices()).containsExactly("web", "api");
  }

  @Test
  void aListKeyReadFromAFileOfPemBlocksTakesOneElementPerBlock() throws Exception {
    String a = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAaaaa\n-----END PUBLIC KEY-----";
    String b = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAbbbb\n-----END PUBLIC KEY-----";
    Path keys = dir.resolve("keys.pem");
    Files.writeString(keys, "# trigger keys\n" + a + "\n\n" + b + "\n");
    TestConfig config = new ConfigLoader(Map.of("STEVEDORE_ALLOWED_SERVICES_FILE", keys.toString()))
        .load(TestConfig.class, "test-defaults.yml", Optional.empty());
    assertThat(config.allowedServices()).containsExactly(a, b);
  }

  @Test
  void aFileKeyForAKeyThatDoesNotExistIsAnUnknownKey() throws Exception {
    Path secret = dir.resolve("x");
    Files.writeString(secret, "x");
    Path file = dir.resolve("c.yml");
    Files.writeString(file, "tokn" + "File: " + secret + "\n");
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(TestConfig.class, "test-defaults.yml", Optional.of(file)))
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining("tokn");
  }

  @Test
  void anUnknownKeyStopsStartUpAndNamesTheKey() throws Exception {
    Path file = dir.resolve("c.yml");
    Files.writeString(file, "http:\n  prot: 9000\n");
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(TestConfig.class, "test-defaults.yml", Optional.of(file)))
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining("prot");
  }

  @Test
  void aMissingFileOrBadValueIsAClearError() {
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(TestConfig.class, "test-defaults.yml", Optional.of(dir.resolve("nope.yml"))))
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> new ConfigLoader(Map.of("STEVEDORE_HTTP_PORT", "eighty")).load(TestConfig.class, "test-defaults.yml", Optional.empty()))
        .isInstanceOf(ConfigLoader.ConfigException.class);
    assertThatThrownBy(() -> new ConfigLoader(Map.of("STEVEDORE_TOKEN_FILE", "/nonexistent/x")).load(TestConfig.class, "test-defaults.yml", Optional.empty()))
        .hasMessageContaining("STEVEDORE_TOKEN_FILE");
  }

  @Test
  void environmentNamesFollowTheKeyPath() {
    assertThat(ConfigLoader.envName(List.of("kafka", "bootstrapServers"))).isEqualTo("STEVEDORE_KAFKA_BOOTSTRAP_SERVERS");
    assertThat(ConfigLoader.envName(List.of("http", "port"))).isEqualTo("STEVEDORE_HTTP_PORT");
  }
}
