package dev.stevedore.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.cli.CliException;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.config.CliConfig.Context;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @TempDir Path dir;
  Path file;
  final List<String> warnings = new ArrayList<>();

  @BeforeEach
  void write() throws Exception {
    file = dir.resolve("config.yaml");
    Files.writeString(file, """
        current-context: prod
        contexts:
          - name: prod
            trigger: https://deploy.example.com
            audit: https://audit.example.com/
            environment: production
            triggerTokenPath: tokens/prod-deployer
            auditTokenEnv: PROD_AUDIT_TOKEN
          - name: staging
            trigger: http://127.0.0.1:8080
            audit: http://127.0.0.1:8083
        """);
    Files.createDirectories(dir.resolve("tokens"));
    Path token = Files.writeString(dir.resolve("tokens/prod-deployer"), "deployer-secret-0123456789\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
  }

  private Settings settings(String context, String triggerFlag, Map<String, String> env) {
    return new Settings(file, context, triggerFlag, null, env, warnings::add);
  }

  @Test
  void theCurrentContextGivesUrlsEnvironmentAndTokensFromAFileRelativeToTheConfigAndANamedVariable() {
    Settings s = settings(null, null, Map.of("PROD_AUDIT_TOKEN", "reader-secret-0123456789"));
    assertThat(s.triggerUrl()).hasToString("https://deploy.example.com");
    assertThat(s.auditUrl()).hasToString("https://audit.example.com/");
    assertThat(s.environment()).contains("production");
    assertThat(s.triggerToken()).isEqualTo("deployer-secret-0123456789");
    assertThat(s.auditToken()).isEqualTo("reader-secret-0123456789");
    assertThat(warnings).isEmpty();
  }

  @Test
  void flagsBeatTheEnvironmentWhichBeatsTheContext() {
    Map<String, String> env = Map.of(Settings.TRIGGER_URL, "http://env:1", Settings.TRIGGER_TOKEN, "env-token-0123456789",
        Settings.CONTEXT, "staging", Settings.ENVIRONMENT, "qa");
    assertThat(settings(null, null, env).triggerUrl()).hasToString("http://env:1");
    assertThat(settings(null, "http://flag:2", env).triggerUrl()).hasToString("http://flag:2");
    assertThat(settings(null, null, env).triggerToken()).isEqualTo("env-token-0123456789");
    assertThat(settings(null, null, env).environment()).contains("qa");
    assertThat(settings(null, null, env).context().map(Context::name)).contains("staging");
    assertThat(settings("prod", null, env).context().map(Context::name)).contains("prod");
  }

  @Test
  void aMissingTokenNamesWhereItCouldComeFrom() {
    assertThatThrownBy(() -> settings("staging", null, Map.of()).auditToken())
        .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessageContaining("STEVEDORE_AUDIT_TOKEN").hasMessageContaining("auditTokenPath in context 'staging'");
  }

  @Test
  void anUnknownContextAMissingTokenFileAndABadUrlAreUsageErrors() throws Exception {
    assertThatThrownBy(() -> settings("nope", null, Map.of()).triggerUrl()).hasMessageContaining("no context 'nope'");
    Files.delete(dir.resolve("tokens/prod-deployer"));
    assertThatThrownBy(() -> settings(null, null, Map.of()).triggerToken())
        .hasMessageContaining("prod-deployer").hasMessageContaining("no such file");
    assertThatThrownBy(() -> settings(null, "ftp://x", Map.of()).triggerUrl()).hasMessageContaining("not an http(s) URL");
  }

  @Test
  void aTokenFileReadableByOthersIsUsedWithAWarning() throws Exception {
    Files.setPosixFilePermissions(dir.resolve("tokens/prod-deployer"), PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(settings(null, null, Map.of()).triggerToken()).isEqualTo("deployer-secret-0123456789");
    assertThat(warnings).singleElement().asString().contains("readable by others").doesNotContain("deployer-secret");
  }

  @Test
  void aBrokenConfigFileIsAUsageErrorNamingTheFile() throws Exception {
    Files.writeString(file, "contexts: [ {name: a, trigger: x, colour: blue} ]");
    assertThatThrownBy(() -> settings(null, null, Map.of()).context())
        .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessageContaining(file.toString()).hasMessageContaining("colour");
  }

  @Test
  void useContextAndSetContextRewriteTheFileAtomicallyKeepingTheRest() throws Exception {
    CliConfig.useContext(file, "staging");
    assertThat(CliConfig.load(file).currentContext()).isEqualTo("staging");
    assertThat(CliConfig.load(file).context("prod").orElseThrow().triggerTokenPath()).isEqualTo("tokens/prod-deployer");
    CliConfig.setContext(file, new Context("staging", null, "http://audit:9", "staging", null, null, null, null));
    Context staging = CliConfig.load(file).context("staging").orElseThrow();
    assertThat(staging.trigger()).isEqualTo("http://127.0.0.1:8080");
    assertThat(staging.audit()).isEqualTo("http://audit:9");
    assertThat(staging.environment()).isEqualTo("staging");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("config.yaml", "tokens");
    assertThatThrownBy(() -> CliConfig.useContext(file, "nope")).hasMessageContaining("no context 'nope'");
  }

  @Test
  void setContextCreatesTheFileAndMakesTheFirstContextCurrent() {
    Path fresh = dir.resolve("new/config.yaml");
    CliConfig.setContext(fresh, new Context("local", "http://127.0.0.1:8080", "http://127.0.0.1:8083", null, null, null, null, null));
    assertThat(CliConfig.load(fresh).currentContext()).isEqualTo("local");
  }
}
