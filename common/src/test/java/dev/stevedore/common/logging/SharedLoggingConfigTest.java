package dev.stevedore.common.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusUtil;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * Starts a real Logback context from the shared configuration (through {@code <include>}, as the
 * services do) and reads what its console appender writes.
 */
class SharedLoggingConfigTest {
  private static final String TIMESTAMP = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2})";

  @AfterEach
  void clear() {
    System.clearProperty("STEVEDORE_LOG_FORMAT");
    System.clearProperty("STEVEDORE_LOG_LEVEL");
    MDC.clear();
  }

  @Test
  void textLinesCarryDateAndZone() throws Exception {
    List<String> lines = run(null, null, log -> {
      Logs.withDeployment("d-42", () -> log.info("deployment {} requested", "d-42"));
      log.info("no deployment here");
      log.debug("hidden at INFO");
    });
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).matches(TIMESTAMP
        + " INFO  \\[[^]]+] test\\.logger - deployment d-42 requested");
    assertThat(lines.get(1)).matches(TIMESTAMP + " INFO  \\[[^]]+] test\\.logger - no deployment here");
  }

  @Test
  void jsonLinesCarryTheDeploymentIdAsAField() throws Exception {
    List<String> lines = run("json", null, log -> {
      Logs.withDeployment("d-7", () -> log.warn("deployment {} not published: {}", "d-7", "boom"));
      log.info("plain");
    });
    assertThat(lines).hasSize(2);
    ObjectMapper mapper = new ObjectMapper();
    JsonNode first = mapper.readTree(lines.get(0));
    assertThat(first.path("level").asText()).isEqualTo("WARN");
    assertThat(first.path("loggerName").asText()).isEqualTo("test.logger");
    assertThat(first.path("formattedMessage").asText()).isEqualTo("deployment d-7 not published: boom");
    assertThat(first.path("mdc").path(Logs.DEPLOYMENT_ID).asText()).isEqualTo("d-7");
    assertThat(first.path("timestamp").asLong()).isPositive();
    JsonNode second = mapper.readTree(lines.get(1));
    assertThat(second.path("mdc").has(Logs.DEPLOYMENT_ID)).isFalse();
  }

  @Test
  void levelFromStevedoreLogLevel() throws Exception {
    List<String> lines = run(null, "debug", log -> log.debug("visible at DEBUG"));
    assertThat(lines).singleElement().asString().endsWith("visible at DEBUG");
  }

  @Test
  void unknownValuesFallBackToTextAndInfo() throws Exception {
    LoggerContext context = new LoggerContext();
    List<String> lines = run(context, "yaml", "verbose", log -> {
      log.debug("hidden");
      log.info("shown");
    });
    assertThat(lines).singleElement().asString().matches(TIMESTAMP + " INFO .* - shown");
    assertThat(context.getStatusManager().getCopyOfStatusList()).map(Status::getMessage)
        .anyMatch(m -> m.contains("STEVEDORE_LOG_FORMAT 'yaml'"))
        .anyMatch(m -> m.contains("STEVEDORE_LOG_LEVEL 'verbose'"));
  }

  @Test
  void theServiceLoggersStillApply() throws Exception {
    List<String> lines = run(null, null, log -> {
      context(log).getLogger("quiet").info("not shown");
      context(log).getLogger("quiet").warn("shown");
    });
    assertThat(lines).singleElement().asString().endsWith("quiet - shown");
  }

  /** A warning during configuration makes Logback print its whole status on stdout at every start. */
  @Test
  void aValidConfigurationWarnsAboutNothing() throws Exception {
    for (String format : new String[] {"text", "json"}) {
      LoggerContext context = new LoggerContext();
      run(context, format, "info", log -> log.warn("x"));
      assertThat(context.getStatusManager().getCopyOfStatusList()).as(format)
          .filteredOn(st -> st.getEffectiveLevel() >= Status.WARN).map(Status::getMessage).isEmpty();
      assertThat(new StatusUtil(context).getHighestLevel(0)).as(format).isLessThan(Status.WARN);
    }
  }

  @Test
  void theAsyncAppenderDropsNothingWhenItsQueueIsFull() throws Exception {
    int count = 50_000;   // six times the queue: INFO lines would be discarded above 80 % by default
    List<String> lines = run(null, null, log -> {
      for (int i = 0; i < count; i++) {
        log.info("line {}", i);
      }
    });
    assertThat(lines).hasSize(count);
    assertThat(lines.get(count - 1)).endsWith("line " + (count - 1));
  }

  @Test
  void theMdcIsRestoredAfterTheCall() {
    MDC.put(Logs.DEPLOYMENT_ID, "outer");
    Logs.withDeployment("inner", () -> assertThat(MDC.get(Logs.DEPLOYMENT_ID)).isEqualTo("inner"));
    assertThat(MDC.get(Logs.DEPLOYMENT_ID)).isEqualTo("outer");
    MDC.remove(Logs.DEPLOYMENT_ID);
    Logs.withDeployment("once", () -> { });
    assertThat(MDC.get(Logs.DEPLOYMENT_ID)).isNull();
  }

  private static LoggerContext context(Logger log) {
    return ((ch.qos.logback.classic.Logger) log).getLoggerContext();
  }

  private interface Body {
    void accept(Logger log) throws Exception;
  }

  private static List<String> run(String format, String level, Body body) throws Exception {
    return run(new LoggerContext(), format, level, body);
  }

  /** Configures {@code context} from service-like.xml with System.out captured, logs, stops (flushing ASYNC). */
  private static List<String> run(LoggerContext context, String format, String level, Body body) throws Exception {
    if (format != null) {
      System.setProperty("STEVEDORE_LOG_FORMAT", format);
    }
    if (level != null) {
      System.setProperty("STEVEDORE_LOG_LEVEL", level);
    }
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      context.setMDCAdapter(MDC.getMDCAdapter());   // the one Logs.withDeployment writes to
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(SharedLoggingConfigTest.class.getResource("/dev/stevedore/logging/service-like.xml"));
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isIn(Level.INFO, Level.DEBUG);
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("ASYNC")).isNotNull();
      body.accept(context.getLogger("test.logger"));
      context.stop();
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    return out.isEmpty() ? List.of() : List.of(out.split("\n"));
  }
}
