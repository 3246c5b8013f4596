package dev.stevedore.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard watching a real deploy: a headless Chromium logged in to the audit service's
 * dashboard sees the deployment that a CI webhook started (trigger, Kafka, the agent running
 * docker-compose on the demo app) appear and finish without a reload, opens its per-host steps
 * as the agent reported them, and finds the host in the fleet running the new version, not
 * behind. The service name is this test's own: the shared broker carries other tests' deployments.
 */
class DashboardSystemIT {
  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  @TempDir Path dir;
  SystemUnderTest system;
  final String service = "dash-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Paths.get(CHROMIUM)) && Files.isExecutable(Paths.get(CHROMEDRIVER)),
        "Debian's chromium and chromium-driver are not installed (scripts/install-deps.sh)");
    system = new SystemUnderTest(dir).withService(service).withHeartbeatInterval(Duration.ofSeconds(2))
        .start(KafkaTestSupport.shared());
  }

  @AfterEach
  void stop() throws Exception {
    if (system != null) {
      system.close();
    }
  }

  static WebDriver browser() {
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,800");
    ChromeDriverService driverService = new ChromeDriverService.Builder()
        .usingDriverExecutable(Paths.get(CHROMEDRIVER).toFile()).usingAnyFreePort().build();
    return new ChromeDriver(driverService, options);
  }

  static void screenshot(WebDriver driver, String name) throws Exception {
    String target = System.getProperty("dashboard.screenshots");
    if (target != null && !target.isBlank()) {
      Path out = Paths.get(target).resolve(name);
      Files.createDirectories(out.getParent());
      Files.write(out, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }
  }

  @Test
  void aRealDeployShowsUpLiveWithItsStepsAndTheHostIsNotBehind() throws Exception {
    String base = "http://127.0.0.1:" + system.audit.port() + "/ui";
    WebDriver driver = browser();
    try {
      WebDriverWait wait = (WebDriverWait) new WebDriverWait(driver, Duration.ofSeconds(120)) {
        @Override
        protected RuntimeException timeoutException(String message, Throwable lastException) {
          return super.timeoutException(message + " at " + driver.getCurrentUrl() + ": " + driver.getPageSource(),
              lastException);
        }
      }.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
      driver.get(base + "/");
      wait.until(d -> d.getCurrentUrl().contains("/ui/login.html"));
      driver.findElement(By.id("token")).sendKeys(SystemUnderTest.READER_TOKEN);
      driver.findElement(By.id("login")).click();
      wait.until(d -> d.getCurrentUrl().endsWith("/ui/"));
      driver.get(base + "/?service=" + service);
      wait.until(d -> d.findElement(By.id("live")).getText().equals("live"));
      assertThat(driver.findElements(By.cssSelector("#deployments tbody tr"))).isEmpty();
      // every status each row shows, in order, as the page changes it (run by WebDriver, not by the page)
      ((JavascriptExecutor) driver).executeScript("""
          window.noReload = 17;
          window.statuses = {};
          const note = () => document.querySelectorAll('#deployments tbody tr').forEach(tr => {
            const s = tr.querySelector('td.status').textContent;
            const seen = window.statuses[tr.dataset.id] || (window.statuses[tr.dataset.id] = []);
            if (seen[seen.length - 1] !== s) seen.push(s);
          });
          new MutationObserver(note).observe(document.querySelector('#deployments tbody'),
              {childList: true, subtree: true, characterData: true});
          """);

      HttpResponse<String> response = system.webhook("v2", "dash-" + UUID.randomUUID());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
      String id = new JsonObject(response.body()).getString("deploymentId");

      String row = wait.until(d -> d.findElements(By.cssSelector("tr[data-id='" + id + "']")).stream()
          .map(WebElement::getText).filter(t -> t.contains("succeeded")).findFirst().orElse(null));
      assertThat(row).contains(service).contains("v2").contains(SystemUnderTest.ENVIRONMENT);
      assertThat(((JavascriptExecutor) driver).executeScript("return window.noReload;"))
          .as("the row arrived by the live feed, without a reload").isEqualTo(17L);
      // pushed as it went: the row was there before the agent finished (the pull alone takes seconds)
      @SuppressWarnings("unchecked")
      java.util.List<String> statuses = (java.util.List<String>) ((JavascriptExecutor) driver)
          .executeScript("return window.statuses[arguments[0]];", id);
      assertThat(statuses).as("statuses the row showed").endsWith("succeeded").hasSizeGreaterThan(1)
          .containsAnyOf("requested", "running");
      screenshot(driver, "dashboard-real-deploy.png");

      wait.until(d -> {
        d.findElement(By.cssSelector("tr[data-id='" + id + "'] a")).click();
        return true;
      });
      String host = system.agentHostId();
      wait.until(d -> d.findElement(By.id("hosts")).getText().contains(host + ": succeeded"));
      String steps = driver.findElement(By.cssSelector("#hosts section[data-host='" + host + "']")).getText();
      assertThat(steps).contains("v1 → v2").contains("pull").contains("up").contains("health-check");
      assertThat(steps.indexOf("pull")).isLessThan(steps.indexOf("health-check"));
      assertThat(driver.findElement(By.id("timeline")).getText()).contains("deploy.requested")
          .contains("deploy.started").contains("deploy.step").contains("deploy.succeeded");
      screenshot(driver, "dashboard-real-timeline.png");

      // the agent's next heartbeat reports v2: in the fleet, and not behind what was asked
      driver.findElement(By.id("nav-fleet")).click();
      By cell = By.cssSelector("#fleet tr[data-service='" + service + "'] td[data-host='" + host + "']");
      wait.until(d -> d.findElements(cell).stream().anyMatch(c -> c.getText().startsWith("v2 ")));
      WebElement runs = driver.findElement(cell);
      assertThat(runs.getText()).doesNotContain("→");
      assertThat(runs.getAttribute("class")).doesNotContain("behind");
      assertThat(driver.findElements(By.cssSelector("#behind tr[data-host='" + host + "'][data-service='" + service
          + "']"))).isEmpty();
      screenshot(driver, "dashboard-real-fleet.png");
    } finally {
      driver.quit();
    }
  }
}
