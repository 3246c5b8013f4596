package dev.stevedore.audit.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.AuditService;
import dev.stevedore.audit.Events;
import dev.stevedore.audit.testing.AuditHarness;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
 * The dashboard against a real audit service fed through a real Kafka broker: the session and
 * CSRF rules over HTTP, then a headless Chromium (Debian's, driven by Selenium) that logs in and
 * watches a deployment arrive without reloading.
 */
class DashboardIT {
  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static KafkaTestSupport kafka;
  static Vertx vertx;
  static AuditService.RunningAudit running;
  static Path dir;
  static String run;
  static String base;
  static String origin;

  @BeforeAll
  static void start() throws Exception {
    kafka = KafkaTestSupport.shared();
    vertx = Vertx.vertx();
    dir = Files.createTempDirectory("dashboard-it");
    running = AuditHarness.start(vertx, AuditHarness.config(kafka, new AuditConfig.Database(null,
        dir.resolve("audit.db").toString(), null, null, 4, 0, 0), "dashboard-it-" + UUID.randomUUID(), 500));
    origin = "http://127.0.0.1:" + running.port();
    base = origin + "/ui";
    run = UUID.randomUUID().toString().substring(0, 8);
    // Recent: the audit reads the shared broker from the beginning, so the other ITs' deployments are
    // in its list too; a deployment 30 minutes old was below the first page in a full run.
    Instant at = Instant.now().minus(Duration.ofSeconds(10)).truncatedTo(ChronoUnit.MILLIS);
    List<StevedoreEvent> events = new ArrayList<>();
    String id = Events.deploymentId("dash-" + run + "-0");
    events.addAll(deployment(id, "web-" + run, "v1", "first release", "web-1", at));
    events.add(Events.heartbeat("web-1", "prod", "v1", Instant.now().truncatedTo(ChronoUnit.MILLIS)));
    events.add(Events.heartbeat("old-" + run, "prod", "v0", at.minus(Duration.ofMinutes(90))));
    // a host that still runs v0 of web-<run>, which v1 was asked for: behind
    events.add(heartbeat("lag-" + run, "web-" + run, "v0"));
    // a rollout of site-<run> to v2: wave 0 done on r1, wave 1 (r2, still on v1) planned
    rolloutId = Events.deploymentId("dash-rollout-" + run);
    String site = "site-" + run;
    events.add(Events.requested(rolloutId, site, "prod", "v2", at));
    events.add(Events.rolloutStarted(rolloutId, site, "prod", "v2", List.of(List.of("r1-" + run),
        List.of("r2-" + run)), List.of(), at.plusMillis(10)));
    events.add(Events.waveStarted(rolloutId, site, "prod", "v2", 0, List.of("r1-" + run), at.plusMillis(20)));
    events.add(Events.succeeded(rolloutId, "r1-" + run, site, "prod", "v2", at.plusSeconds(3)));
    events.add(Events.waveFinished(rolloutId, site, "prod", "v2", 0, List.of("r1-" + run), List.of(),
        at.plusSeconds(4)));
    events.add(heartbeat("r1-" + run, site, "v2"));
    events.add(heartbeat("r2-" + run, site, "v1"));
    events.addAll(history());
    AuditHarness.publish(kafka, events);
    await().atMost(Duration.ofSeconds(60)).until(() ->
        AuditHarness.get(running.port(), "/api/v1/deployments/" + id).status() == 200
            && AuditHarness.get(running.port(), "/api/v1/rollouts/" + rolloutId).status() == 200);
  }

  static String rolloutId;
  /** shop-<run>'s history for the DORA page: what it holds, counted as the page should count it. */
  static int historySucceeded;
  static int historyFailed;

  static dev.stevedore.common.event.AgentHeartbeat heartbeat(String host, String service, String version) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return new dev.stevedore.common.event.AgentHeartbeat("hb-" + host + "-" + now.toEpochMilli(),
        "stevedore://agent/" + host, now, host, "prod", java.util.Map.of("zone", "a"),
        List.of(new dev.stevedore.common.event.AgentHeartbeat.ServiceState(service, version, null, "running")),
        "idle", "0.1.0");
  }

  /**
   * Two weeks of shop-<run> deployments, one or two a day: every fourth fails and is restored by
   * the next one 40 minutes later.
   */
  static List<StevedoreEvent> history() {
    List<StevedoreEvent> out = new ArrayList<>();
    String shop = "shop-" + run;
    Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(14));
    int n = 0;
    for (int day = 0; day < 14; day++) {
      for (int k = 0; k < 1 + day % 2; k++) {
        Instant at = start.plus(Duration.ofDays(day)).plus(Duration.ofHours(2 * k));
        String id = Events.deploymentId("dash-shop-" + run + "-" + n);
        out.add(Events.requested(id, shop, "prod", "v" + n, at));
        if (n % 4 == 3) {
          out.add(Events.failed(id, "s1-" + run, shop, "prod", "v" + n, at.plus(Duration.ofMinutes(3))));
          historyFailed++;
          n++;
          String fix = Events.deploymentId("dash-shop-" + run + "-" + n);
          out.add(Events.requested(fix, shop, "prod", "v" + n, at.plus(Duration.ofMinutes(40))));
          out.add(Events.succeeded(fix, "s1-" + run, shop, "prod", "v" + n, at.plus(Duration.ofMinutes(43 + n))));
        } else {
          out.add(Events.succeeded(id, "s1-" + run, shop, "prod", "v" + n, at.plus(Duration.ofMinutes(2 + n % 5))));
        }
        historySucceeded++;
        n++;
      }
    }
    return out;
  }

  @AfterAll
  static void stop() throws Exception {
    if (running != null) {
      AuditHarness.stop(running);
    }
    vertx.close().await(10, TimeUnit.SECONDS);
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  static List<StevedoreEvent> deployment(String id, String service, String version, String reason, String host,
                                         Instant at) {
    DeployRequested requested = new DeployRequested(DeploymentIds.eventId(id, "-", "requested"),
        "stevedore://trigger/test", at, id, service, "prod", version, "c0ffee", "main", "acme/" + service, "ci-bot",
        "generic", reason, null, null, null);
    return List.of(requested,
        Events.started(id, host, service, "prod", version, at.plusSeconds(1)),
        Events.step(id, host, service, "pull", true, at.plusSeconds(2)),
        Events.step(id, host, service, "health", true, at.plusSeconds(3)),
        Events.succeeded(id, host, service, "prod", version, at.plusSeconds(4)));
  }

  static HttpResponse<String> post(String path, String body, String originHeader, String cookie) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(origin + path)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (originHeader != null) {
      r.header("Origin", originHeader);
    }
    if (cookie != null) {
      r.header("Cookie", cookie);
    }
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String path, String cookie) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(origin + path)).timeout(Duration.ofSeconds(10)).GET();
    if (cookie != null) {
      r.header("Cookie", cookie);
    }
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Logs in over HTTP; returns the {@code name=value} of the session cookie. */
  static String login() throws Exception {
    HttpResponse<String> r = post("/ui/login", "token=" + AuditHarness.TOKEN, origin, null);
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("location")).contains("/ui/");
    String setCookie = r.headers().firstValue("set-cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  @Test
  void loginSetsAnOpaqueHttpOnlyStrictCookieAndOpensTheData() throws Exception {
    HttpResponse<String> r = post("/ui/login", "token=" + AuditHarness.TOKEN, origin, null);
    String setCookie = r.headers().firstValue("set-cookie").orElseThrow();
    assertThat(setCookie).startsWith(DashboardRoutes.COOKIE + "=").containsIgnoringCase("HttpOnly").contains("SameSite=Strict")
        .contains("Path=/ui").contains("Max-Age=28800").doesNotContain(AuditHarness.TOKEN).doesNotContain("Secure");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    assertThat(get("/ui/data/deployments", cookie).statusCode()).isEqualTo(200);
    assertThat(get("/ui/data/deployments?service=web-" + run, cookie).body()).contains("web-" + run);
    assertThat(get("/ui/data/hosts", cookie).statusCode()).isEqualTo(200);
    assertThat(get("/ui/data/fleet", cookie).body()).contains("lag-" + run);
    assertThat(get("/ui/data/rollouts", cookie).body()).contains(rolloutId);
    assertThat(get("/ui/data/dora/series?service=shop-" + run, cookie).body()).contains("\"bucket\":\"1d\"");
    assertThat(get("/ui/data/dora/series?bucket=1h&window=366d", cookie).statusCode()).isEqualTo(400);
    for (String pageName : new String[] {"/ui/rollouts.html", "/ui/dora.html"}) {
      HttpResponse<String> page = get(pageName, cookie);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("content-security-policy")).contains(DashboardRoutes.CSP);
      assertThat(page.body()).doesNotContain("<script>").doesNotContainPattern("\\son[a-z]+=").doesNotContain("style=");
    }
    assertThat(get("/ui/", cookie).statusCode()).isEqualTo(200);
    assertThat(get("/ui/", cookie).body()).contains("Recent deployments");
    HttpResponse<String> bare = get("/ui", cookie);
    assertThat(bare.statusCode()).isEqualTo(303);
    assertThat(bare.headers().firstValue("location")).contains("/ui/");
    // the session is not a bearer token for the API
    assertThat(get("/api/v1/deployments", cookie).statusCode()).isEqualTo(401);
  }

  @Test
  void withoutASessionPagesRedirectAndDataIs401() throws Exception {
    for (String cookie : new String[] {null, DashboardRoutes.COOKIE + "=forged", DashboardRoutes.COOKIE + "="
        + AuditHarness.TOKEN}) {
      for (String data : new String[] {"/ui/data/deployments", "/ui/events", "/ui/data/fleet", "/ui/data/dora/series",
          "/ui/data/rollouts", "/ui/data/rollouts/" + rolloutId}) {
        assertThat(get(data, cookie).statusCode()).as(data).isEqualTo(401);
      }
      for (String pageName : new String[] {"/ui/fleet.html", "/ui/rollouts.html", "/ui/dora.html"}) {
        HttpResponse<String> page = get(pageName, cookie);
        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(page.headers().firstValue("location")).contains("/ui/login.html");
      }
    }
    HttpResponse<String> login = get("/ui/login.html", null);
    assertThat(login.statusCode()).isEqualTo(200);
    assertThat(login.headers().firstValue("content-security-policy")).contains(DashboardRoutes.CSP);
    assertThat(login.body()).doesNotContain("<script>").doesNotContain("onclick");
  }

  @Test
  void aWrongTokenGetsNoSession() throws Exception {
    for (String body : new String[] {"token=wrong", "token=", "", "token=" + AuditHarness.TOKEN + "x",
        "token=" + "a".repeat(5000)}) {
      HttpResponse<String> r = post("/ui/login", body, origin, null);
      assertThat(r.statusCode()).as(body).isEqualTo(303);
      assertThat(r.headers().firstValue("location")).contains("/ui/login.html?error=1");
      assertThat(r.headers().firstValue("set-cookie")).isEmpty();
    }
    assertThat(post("/ui/login", "token=" + "a".repeat(20_000), origin, null).statusCode()).isEqualTo(413);
  }

  @Test
  void loginAndLogoutFromAnotherOriginAreRefused() throws Exception {
    for (String bad : new String[] {null, "null", "http://evil.example", "http://127.0.0.1:1",
        "https://127.0.0.1:" + running.port()}) {
      HttpResponse<String> r = post("/ui/login", "token=" + AuditHarness.TOKEN, bad, null);
      assertThat(r.statusCode()).as(String.valueOf(bad)).isEqualTo(403);
      assertThat(r.headers().firstValue("set-cookie")).isEmpty();
    }
    String cookie = login();
    assertThat(post("/ui/logout", "", "http://evil.example", cookie).statusCode()).isEqualTo(403);
    assertThat(post("/ui/logout", "", null, cookie).statusCode()).isEqualTo(403);
    assertThat(get("/ui/data/deployments", cookie).statusCode()).isEqualTo(200);
    HttpResponse<String> out = post("/ui/logout", "", origin, cookie);
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(out.headers().firstValue("set-cookie").orElseThrow()).contains("Max-Age=0");
    assertThat(get("/ui/data/deployments", cookie).statusCode()).isEqualTo(401);
  }

  @Test
  void theLiveFeedPushesANewDeployment() throws Exception {
    String cookie = login();
    HttpRequest r = HttpRequest.newBuilder(URI.create(origin + "/ui/events")).header("Cookie", cookie).GET().build();
    HttpResponse<java.io.InputStream> stream = HTTP.send(r, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("content-type")).as(stream.headers().map().toString()).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    String id = Events.deploymentId("dash-sse-" + run);
    try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      // the feed greets once it has read its baseline; what is ingested after that is pushed
      for (String line = in.readLine(); !": connected".equals(line); line = in.readLine()) {
        assertThat(line).isNotNull();
      }
      CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
        try {
          for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("data: ") && line.contains(id)) {
              return line;
            }
          }
          return null;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      AuditHarness.publish(kafka, deployment(id, "sse-" + run, "v7", null, "web-2", Instant.now()));
      assertThat(seen.get(60, TimeUnit.SECONDS)).contains("\"service\":\"sse-" + run + "\"");
    }
  }

  // ---- the real browser

  static WebDriver browser() {
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,800");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(Paths.get(CHROMEDRIVER).toFile()).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  static void screenshot(WebDriver driver, String name) throws Exception {
    String target = System.getProperty("dashboard.screenshots");
    if (target != null && !target.isBlank()) {
      Path out = Paths.get(target).resolve(name);
      Files.createDirectories(out.getParent());
      Files.write(out, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }
  }

  static WebDriverWait waiting(WebDriver driver) {
    return (WebDriverWait) new WebDriverWait(driver, Duration.ofSeconds(30)) {
      @Override
      protected RuntimeException timeoutException(String message, Throwable lastException) {
        return super.timeoutException(message + " at " + driver.getCurrentUrl() + ": " + driver.getPageSource(),
            lastException);
      }
    }.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
  }

  static void logIn(WebDriver driver, WebDriverWait wait, boolean wrongFirst) {
    driver.get(base + "/");
    wait.until(d -> d.getCurrentUrl().contains("/ui/login.html"));
    if (wrongFirst) {
      driver.findElement(By.id("token")).sendKeys("wrong-token");
      driver.findElement(By.id("login")).click();
      wait.until(d -> d.findElement(By.id("error")).isDisplayed());
    }
    driver.findElement(By.id("token")).sendKeys(AuditHarness.TOKEN);
    driver.findElement(By.id("login")).click();
    wait.until(d -> d.getCurrentUrl().endsWith("/ui/"));
  }

  static void assumeBrowser() {
    Assumptions.assumeTrue(Files.isExecutable(Paths.get(CHROMIUM)) && Files.isExecutable(Paths.get(CHROMEDRIVER)),
        "Debian's chromium and chromium-driver are not installed (scripts/install-deps.sh)");
  }

  @Test
  void aBrowserLogsInSeesRowsArriveLiveOpensTheTimelineAndTheFleet() throws Exception {
    assumeBrowser();
    WebDriver driver = browser();
    try {
      WebDriverWait wait = waiting(driver);
      logIn(driver, wait, true);
      wait.until(d -> d.findElement(By.id("deployments")).getText().contains("web-" + run));
      wait.until(d -> d.findElement(By.id("live")).getText().equals("live"));
      Object marker = ((JavascriptExecutor) driver).executeScript("window.noReload = 42; return window.noReload;");
      assertThat(marker).isEqualTo(42L);

      String id = Events.deploymentId("dash-live-" + run);
      String hostile = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">";
      AuditHarness.publish(kafka, deployment(id, "api-" + run, "v2", hostile, "web-1", Instant.now()));
      // rows are replaced as updates arrive: read the text in the wait, find the row again to click
      String row = wait.until(d -> d.findElements(By.cssSelector("tr[data-id='" + id + "']")).stream()
          .map(WebElement::getText).filter(t -> t.contains("succeeded")).findFirst().orElse(null));
      assertThat(((JavascriptExecutor) driver).executeScript("return window.noReload;")).isEqualTo(42L);
      assertThat(row).contains("api-" + run).contains(hostile);
      assertThat(((JavascriptExecutor) driver).executeScript("return window.pwned === undefined;")).isEqualTo(true);
      screenshot(driver, "dashboard-deployments.png");

      wait.until(d -> {
        d.findElement(By.cssSelector("tr[data-id='" + id + "'] a")).click();
        return true;
      });
      wait.until(d -> d.findElement(By.id("hosts")).getText().contains("web-1: succeeded"));
      String hosts = driver.findElement(By.id("hosts")).getText();
      assertThat(hosts).contains("pull").contains("health");
      assertThat(driver.findElement(By.id("timeline")).getText()).contains("deploy.requested").contains("deploy.succeeded");
      assertThat(driver.findElement(By.id("summary")).getText()).contains(hostile);
      wait.until(d -> d.findElement(By.id("live")).getText().equals("live"));
      screenshot(driver, "dashboard-timeline.png");

      driver.findElement(By.id("nav-fleet")).click();
      wait.until(d -> d.findElement(By.id("fleet")).getText().contains("web-1"));
      String silent = wait.until(d -> d.findElements(By.cssSelector("#hostlist tr.silent")).stream()
          .map(WebElement::getText).filter(t -> t.contains("old-" + run)).findFirst().orElse(null));
      assertThat(silent).contains("silent");
      // behind: lag-<run> runs v0 of web-<run>, whose newest request (every prod host) asked for v1;
      // r2-<run> runs v1 of site-<run>, planned in wave 1 of the rollout to v2
      String lag = wait.until(d -> d.findElements(By.cssSelector("#behind tr[data-host='lag-" + run + "']")).stream()
          .map(WebElement::getText).findFirst().orElse(null));
      assertThat(lag).contains("web-" + run).contains("v0").contains("v1");
      String r2 = wait.until(d -> d.findElements(By.cssSelector("#behind tr[data-host='r2-" + run + "']")).stream()
          .map(WebElement::getText).findFirst().orElse(null));
      assertThat(r2).contains("site-" + run).contains("v1").contains("v2").contains(rolloutId);
      // r1-<run> runs v2, what the rollout asked of it: not behind
      assertThat(driver.findElement(By.id("fleet")).getText()).contains("r1-" + run);
      assertThat(driver.findElements(By.cssSelector("#behind tr[data-host='r1-" + run + "']"))).isEmpty();
      assertThat(driver.findElements(By.cssSelector("#fleet td.behind"))).isNotEmpty();
      wait.until(d -> d.findElement(By.id("live")).getText().equals("live"));
      screenshot(driver, "dashboard-fleet.png");

      driver.findElement(By.id("nav-chain")).click();
      wait.until(d -> d.findElement(By.id("verdict")).getText().startsWith("intact"));

      driver.findElement(By.id("logout")).click();
      wait.until(d -> d.getCurrentUrl().contains("/ui/login.html"));
      driver.get(base + "/fleet.html");
      wait.until(d -> d.getCurrentUrl().contains("/ui/login.html"));
      assertThat(((JavascriptExecutor) driver).executeScript("return document.cookie")).isEqualTo("");
    } finally {
      driver.quit();
    }
  }

  @Test
  void aBrowserFollowsARolloutsWavesLiveAndDrawsTheDoraCharts() throws Exception {
    assumeBrowser();
    WebDriver driver = browser();
    try {
      WebDriverWait wait = waiting(driver);
      logIn(driver, wait, false);
      driver.findElement(By.id("nav-rollouts")).click();
      wait.until(d -> d.getCurrentUrl().contains("/ui/rollouts.html"));
      driver.get(base + "/rollouts.html?id=" + rolloutId);
      wait.until(d -> d.findElement(By.id("live")).getText().equals("live"));
      wait.until(d -> d.findElement(By.id("rollouts")).getText().contains("site-" + run));
      String wave0 = wait.until(d -> text(d, "#waves section[data-wave='0']"));
      assertThat(wave0).contains("canary").contains("finished: 1 succeeded").contains("r1-" + run + ": succeeded");
      assertThat(text(driver, "#waves section[data-wave='1']")).contains("planned").contains("r2-" + run);
      ((JavascriptExecutor) driver).executeScript("window.noReload = 7;");

      // the next wave starts: the page follows without reload
      AuditHarness.publish(kafka, List.of(Events.waveStarted(rolloutId, "site-" + run, "prod", "v2", 1,
          List.of("r2-" + run), Instant.now())));
      wait.until(d -> String.valueOf(text(d, "#waves section[data-wave='1']")).contains("in progress"));
      assertThat(text(driver, "#waves section[data-wave='1']")).contains("r2-" + run + ": in-progress");
      assertThat(((JavascriptExecutor) driver).executeScript("return window.noReload;")).isEqualTo(7L);
      assertThat(driver.findElement(By.id("r-timeline")).getText()).contains("rollout.started")
          .contains("rollout.wave-finished").contains("rollout.wave-started");
      screenshot(driver, "dashboard-rollouts.png");

      driver.get(base + "/dora.html?service=shop-" + run + "&window=30d");
      String figures = wait.until(d -> {
        String t = d.findElement(By.id("figures")).getText();
        return t.contains("succeeded of") ? t : null;
      });
      int total = historySucceeded + historyFailed;
      assertThat(figures).contains(historySucceeded + " succeeded of " + total + " in 30d")
          .contains(historyFailed + " failed or rolled back")
          .contains("median of " + historyFailed + " restored");
      // one bar per day with a deployment; the failure chart has a bar (0 % included) for every such day
      List<WebElement> bars = driver.findElements(By.cssSelector("#chart-frequency svg rect.bar"));
      assertThat(bars).hasSizeBetween(14, 15); // 14 days of history, split over 15 UTC days at most
      assertThat(driver.findElements(By.cssSelector("#chart-restore svg rect.bar"))).hasSize(historyFailed);
      assertThat(driver.findElements(By.cssSelector("#chart-lead svg rect.bar"))).hasSizeBetween(14, 15);
      assertThat(driver.findElement(By.cssSelector("#chart-frequency svg rect.bar title")).getAttribute("textContent"))
          .matches("\\d{4}-\\d{2}-\\d{2} 00:00:00: \\d+");
      screenshot(driver, "dashboard-dora.png");
      // a service with no deployments draws empty charts, not an error
      driver.get(base + "/dora.html?service=none-" + run + "&window=7d");
      wait.until(d -> d.findElement(By.id("figures")).getText().contains("0 succeeded of 0"));
      assertThat(driver.findElements(By.cssSelector("#chart-frequency svg rect.bar"))).isEmpty();
      assertThat(driver.findElement(By.id("message")).isDisplayed()).isFalse();
    } finally {
      driver.quit();
    }
  }

  static String text(WebDriver driver, String css) {
    return driver.findElements(By.cssSelector(css)).stream().map(WebElement::getText).findFirst().orElse(null);
  }
}
