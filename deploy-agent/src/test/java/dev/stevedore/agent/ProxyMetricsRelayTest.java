package dev.stevedore.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.ops.PrometheusScrape;
import dev.stevedore.proxy.EdgeProxy;
import dev.stevedore.proxy.ProxyConfig;
import dev.stevedore.testing.FreePorts;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent relays its edge proxies' series: a real proxy (in this JVM), one that is down, one that lies. */
class ProxyMetricsRelayTest {
  Vertx vertx;
  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void relaysEachProxysSeriesWithAServiceLabelAndSaysWhichProxyIsDown() throws Exception {
    HttpServer app = vertx.createHttpServer().requestHandler(r -> r.response().end("v1")).listen(0, "127.0.0.1").await();
    EdgeProxy.Running proxy = EdgeProxy.start(vertx, new ProxyConfig("127.0.0.1", 0, "127.0.0.1", 0, "tok",
        dir.resolve("p.json").toString(), null, null, 1, 0, false, null)).await();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminPort() + "/upstream"))
        .header("authorization", "Bearer tok").PUT(HttpRequest.BodyPublishers.ofString(
            "{\"colour\":\"blue\",\"port\":" + app.actualPort() + "}")).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode()).isEqualTo(200);
    for (int i = 0; i < 3; i++) {
      assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/")).build(),
          HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("v1");
    }
    Map<String, String> proxies = new LinkedHashMap<>();
    proxies.put("shop", "http://127.0.0.1:" + proxy.adminPort());
    proxies.put("web", "http://127.0.0.1:" + FreePorts.find());          // nobody listens
    String text = new ProxyMetricsRelay(WebClient.create(vertx), proxies).scrape().await();

    assertThat(text).contains("stevedore_proxy_requests_total{service=\"shop\",colour=\"blue\"} 3")
        .contains("stevedore_proxy_active{service=\"shop\",colour=\"blue\",port=\"" + app.actualPort() + "\"} 1")
        .contains("stevedore_proxy_switches_total{service=\"shop\"} 1")
        .contains("stevedore_proxy_up{service=\"shop\"} 1")
        .contains("stevedore_proxy_up{service=\"web\"} 0")
        .doesNotContain("jvm_")                                      // the proxy's JVM is its own scrape
        .doesNotContain("stevedore_build_info");
    PrometheusScrape.assertPromtoolPasses(text);
  }

  @Test
  void groupsEachFamilyOnceAcrossServicesAndDropsWhatIsNotAProxySeries() throws Exception {
    String a = """
        # HELP stevedore_proxy_requests_total Requests forwarded, by colour.
        # TYPE stevedore_proxy_requests_total counter
        stevedore_proxy_requests_total{colour="blue"} 5
        # TYPE stevedore_proxy_switches_total counter
        stevedore_proxy_switches_total 2
        jvm_threads_live_threads 12
        stevedore_proxy_up 1
        stevedore_proxy_bad-name 1
        stevedore_proxy_no_value
        garbage line { with braces
        """;
    String b = """
        # HELP stevedore_proxy_requests_total Requests forwarded, by colour.
        # TYPE stevedore_proxy_requests_total counter
        stevedore_proxy_requests_total{colour="green"} 7
        """;
    Map<String, String> in = new LinkedHashMap<>();
    in.put("a", a);
    in.put("b\"x", b);
    String text = ProxyMetricsRelay.merge(in);
    assertThat(text.lines().filter(l -> l.startsWith("# TYPE stevedore_proxy_requests_total"))).hasSize(1);
    assertThat(text).contains("""
        stevedore_proxy_requests_total{service="a",colour="blue"} 5
        stevedore_proxy_requests_total{service="b\\"x",colour="green"} 7
        """)
        .contains("stevedore_proxy_switches_total{service=\"a\"} 2")
        .contains("stevedore_proxy_up{service=\"a\"} 1\nstevedore_proxy_up{service=\"b\\\"x\"} 1")
        .doesNotContain("jvm_").doesNotContain("bad-name").doesNotContain("no_value").doesNotContain("garbage");
    PrometheusScrape.assertPromtoolPasses(text);
  }

  @Test
  void aSampleGetsTheServiceAsItsFirstLabel() {
    assertThat(ProxyMetricsRelay.withService("m 1", "s")).isEqualTo("m{service=\"s\"} 1");
    assertThat(ProxyMetricsRelay.withService("m{} 1", "s")).isEqualTo("m{service=\"s\"} 1");
    assertThat(ProxyMetricsRelay.withService("m{a=\"b\"} 1", "s")).isEqualTo("m{service=\"s\",a=\"b\"} 1");
  }
}
