package dev.stevedore.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stevedore.agent.config.ResilienceConfig;
import dev.stevedore.agent.driver.Breakers;
import dev.stevedore.agent.driver.ImageRefs;
import dev.stevedore.agent.process.ProcessRunner;
import dev.stevedore.agent.registry.DockerCredentials;
import dev.stevedore.agent.registry.RegistryAuthException;
import dev.stevedore.agent.registry.RegistryClient;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.FreePorts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Polling's registry client against real registries ({@code /usr/bin/docker-registry}, Debian's
 * distribution 2.8) on loopback: one with htpasswd (bcrypt) auth, one in token mode whose token
 * server is this test's (a JDK HttpServer issuing RS256 JWTs with the signing certificate in
 * {@code x5c}, the registry's {@code rootcertbundle}). Both serve the same storage, into which the
 * image is pushed once with {@code docker login}/{@code docker push}; the client reads its digest
 * with credentials from a {@code config.json}.
 */
class RegistryAuthIT {
  private static final String USER = "alice";
  private static final String PASSWORD = "correct horse: battery";
  private static final String REFRESH_TOKEN = "refresh-" + Long.toHexString(System.nanoTime());
  private static final String SERVICE = "stevedore-it-registry";
  private static final String ISSUER = "stevedore-it-issuer";
  private static final String NAME = "authit/demo";

  @TempDir
  static Path dir;
  private static final List<Process> registries = new ArrayList<>();
  private static HttpServer tokenServer;
  private static final AtomicInteger tokenRequests = new AtomicInteger();
  private static PrivateKey signingKey;
  private static String certificateDer;
  private static int basicPort;
  private static int tokenPort;
  private static String pushed;
  private static String digest;
  private static Vertx vertx;
  private static WebClient web;
  private static ProcessRunner runner;

  @BeforeAll
  static void start() throws Exception {
    Path storage = Files.createDirectories(dir.resolve("storage"));
    // htpasswd registry: bcrypt as distribution requires (apache2-utils, see scripts/install-deps.sh)
    var hash = DockerTestSupport.run(Duration.ofSeconds(30), List.of("htpasswd", "-Bbn", USER, PASSWORD));
    assertThat(hash.ok()).as("htpasswd -B (apache2-utils): " + hash.stderr()).isTrue();
    Files.writeString(dir.resolve("htpasswd"), hash.stdout().trim() + "\n");
    basicPort = FreePorts.find();
    registries.add(registry("basic", basicPort, storage, """
        auth:
          htpasswd:
            realm: stevedore-it
            path: %s
        """.formatted(dir.resolve("htpasswd"))));

    // token registry: a self-signed certificate is the root bundle; its key signs the tokens
    var keygen = DockerTestSupport.run(Duration.ofSeconds(60), List.of("openssl", "req", "-x509", "-newkey", "rsa:2048",
        "-nodes", "-keyout", dir.resolve("token-key.pem").toString(), "-out", dir.resolve("token-cert.pem").toString(),
        "-subj", "/CN=stevedore-it-token", "-days", "2"));
    assertThat(keygen.ok()).as(keygen.stderr()).isTrue();
    signingKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pem(dir.resolve("token-key.pem"))));
    certificateDer = Base64.getEncoder().encodeToString(pem(dir.resolve("token-cert.pem")));
    tokenServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    tokenServer.createContext("/token", RegistryAuthIT::token);
    tokenServer.start();
    tokenPort = FreePorts.find();
    registries.add(registry("token", tokenPort, storage, """
        auth:
          token:
            realm: http://127.0.0.1:%d/token
            service: %s
            issuer: %s
            rootcertbundle: %s
        """.formatted(tokenServer.getAddress().getPort(), SERVICE, ISSUER, dir.resolve("token-cert.pem"))));

    // the image, pushed once with docker login's own config.json (the file the basic tests read)
    Path loginConfig = Files.createDirectories(dir.resolve("docker-login"));
    pushed = "127.0.0.1:" + basicPort + "/" + NAME + ":v1";
    DockerTestSupport.dockerOk("--config", loginConfig.toString(), "login", "-u", USER, "-p", PASSWORD,
        "127.0.0.1:" + basicPort);
    DockerTestSupport.dockerOk("tag", DockerTestSupport.demoImage("v1"), pushed);
    DockerTestSupport.dockerOk("--config", loginConfig.toString(), "push", pushed);
    digest = ImageRefs.digestFor(DockerTestSupport.repoDigests(pushed), ImageRefs.repository(pushed));
    assertThat(digest).startsWith("sha256:");

    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    runner = new ProcessRunner(vertx, vertx.createSharedWorkerExecutor("regauth-it", 2));
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process p : registries) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    if (tokenServer != null) {
      tokenServer.stop(0);
    }
    if (pushed != null) {
      DockerTestSupport.docker("rmi", pushed);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void basicAuthWithTheConfigDockerLoginWrote() throws Exception {
    RegistryClient client = client(dir.resolve("docker-login"));
    assertThat(await(client.digest("127.0.0.1:" + basicPort + "/" + NAME, "v1"))).isEqualTo(digest);
    assertThat(await(client.digest("127.0.0.1:" + basicPort + "/" + NAME, "no-such-tag"))).isNull();
    // later polls send the credentials up front, and still read the digest
    assertThat(await(client.digest("127.0.0.1:" + basicPort + "/" + NAME, "v1"))).isEqualTo(digest);
  }

  @Test
  void basicAuthWithAWrongPasswordIsAClearError() throws Exception {
    Path config = dockerConfig("wrong-basic", "{\"auths\": {\"127.0.0.1:" + basicPort + "\": {\"username\": \"" + USER
        + "\", \"password\": \"not-the-password\"}}}");
    Throwable e = failure(client(config).digest("127.0.0.1:" + basicPort + "/" + NAME, "v1"));
    assertThat(e).isInstanceOf(RegistryAuthException.class)
        .hasMessage("registry 127.0.0.1:" + basicPort + " refused the credentials of user alice (from "
            + config.resolve("config.json") + " auths) (401)");
  }

  @Test
  void basicAuthWithoutCredentialsSaysWhereItLooked() throws Exception {
    Path config = dockerConfig("none-basic", "{\"auths\": {}}");
    assertThat(failure(client(config).digest("127.0.0.1:" + basicPort + "/" + NAME, "v1")))
        .hasMessageContaining("asks for credentials (Basic) and there are none for it in")
        .hasMessageContaining(config.resolve("config.json").toString());
  }

  @Test
  void tokenModeGetsATokenFromTheRealmAndKeepsIt() throws Exception {
    Path config = dockerConfig("token", "{\"auths\": {\"127.0.0.1:" + tokenPort + "\": {\"auth\": \""
        + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\"}}}");
    RegistryClient client = client(config);
    int before = tokenRequests.get();
    assertThat(await(client.digest("127.0.0.1:" + tokenPort + "/" + NAME, "v1"))).isEqualTo(digest);
    assertThat(tokenRequests.get() - before).isEqualTo(1);
    for (int i = 0; i < 3; i++) {
      assertThat(await(client.digest("127.0.0.1:" + tokenPort + "/" + NAME, "v1"))).isEqualTo(digest);
    }
    assertThat(tokenRequests.get() - before).as("the token is kept until it expires").isEqualTo(1);
  }

  @Test
  void tokenModeWithAnIdentityTokenUsesTheRefreshGrant() throws Exception {
    Path config = dockerConfig("identity", "{\"auths\": {\"127.0.0.1:" + tokenPort + "\": {\"identitytoken\": \""
        + REFRESH_TOKEN + "\"}}}");
    assertThat(await(client(config).digest("127.0.0.1:" + tokenPort + "/" + NAME, "v1"))).isEqualTo(digest);
  }

  @Test
  void tokenModeWithAWrongPasswordIsAClearError() throws Exception {
    Path config = dockerConfig("wrong-token", "{\"auths\": {\"127.0.0.1:" + tokenPort + "\": {\"username\": \"" + USER
        + "\", \"password\": \"wrong\"}}}");
    assertThat(failure(client(config).digest("127.0.0.1:" + tokenPort + "/" + NAME, "v1")))
        .isInstanceOf(RegistryAuthException.class)
        .hasMessage("token server http://127.0.0.1:" + tokenServer.getAddress().getPort() + "/token (for registry 127.0.0.1:"
            + tokenPort + ") refused user alice (from " + config.resolve("config.json") + " auths) (401)");
  }

  @Test
  void tokenModeAnonymousGetsATokenWithoutAccessAndSaysSo() throws Exception {
    Path config = dockerConfig("anonymous-token", "{}");
    assertThat(failure(client(config).digest("127.0.0.1:" + tokenPort + "/" + NAME, "v1")))
        .hasMessageContaining("registry 127.0.0.1:" + tokenPort + " refused the token from http://127.0.0.1:")
        .hasMessageContaining("for repository:" + NAME + ":pull (anonymous: no credentials for it in");
  }

  private static RegistryClient client(Path dockerConfigDir) {
    return new RegistryClient(web, new Breakers(ResilienceConfig.defaults()),
        new DockerCredentials(vertx, dockerConfigDir, runner, Duration.ofSeconds(5), Map.of()), Clock.systemUTC());
  }

  private static Path dockerConfig(String name, String json) throws IOException {
    Path d = Files.createDirectories(dir.resolve("cfg-" + name));
    Files.writeString(d.resolve("config.json"), json);
    return d;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Throwable failure(Future<?> f) throws Exception {
    try {
      await(f);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("succeeded");
  }

  /** Starts {@code docker-registry serve} with {@code auth} on {@code port}; returns once it answers. */
  private static Process registry(String name, int port, Path storage, String auth) throws Exception {
    Path config = dir.resolve(name + "-registry.yml");
    Files.writeString(config, """
        version: 0.1
        log:
          level: warn
          accesslog:
            disabled: true
        storage:
          filesystem:
            rootdirectory: %s
        http:
          addr: 127.0.0.1:%d
        %s""".formatted(storage, port, auth));
    Path log = dir.resolve(name + "-registry.log");
    Process p = new ProcessBuilder("/usr/bin/docker-registry", "serve", config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && p.isAlive()) {
      try {
        int status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status == 401) {
          return p;
        }
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    p.destroyForcibly();
    throw new IllegalStateException(name + " registry on " + port + " did not answer 401: " + Files.readString(log));
  }

  private static byte[] pem(Path file) throws IOException {
    String text = Files.readString(file).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(text);
  }

  /**
   * The token server: GET with Basic credentials (or none: a token without access, as Docker
   * Hub gives), or POST of the refresh-token grant; answers {@code {"token": <JWT>, "expires_in": 300}}.
   */
  private static void token(HttpExchange ex) throws IOException {
    tokenRequests.incrementAndGet();
    try (ex) {
      Map<String, String> params = new HashMap<>(form(ex.getRequestURI().getRawQuery()));
      boolean granted;
      if (ex.getRequestMethod().equals("POST")) {
        params.putAll(form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        granted = "refresh_token".equals(params.get("grant_type")) && REFRESH_TOKEN.equals(params.get("refresh_token"));
        if (!granted) {
          ex.sendResponseHeaders(401, -1);
          return;
        }
      } else {
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        if (authorization == null) {
          granted = false;
        } else if (authorization.equals("Basic " + Base64.getEncoder().encodeToString(
            (USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)))) {
          granted = true;
        } else {
          ex.sendResponseHeaders(401, -1);
          return;
        }
      }
      if (!SERVICE.equals(params.get("service")) || params.get("scope") == null) {
        ex.sendResponseHeaders(400, -1);
        return;
      }
      String[] scope = params.get("scope").split(":");
      String jwt = jwt(granted ? scope[1] : null);
      byte[] body = ("{\"token\": \"" + jwt + "\", \"access_token\": \"" + jwt + "\", \"expires_in\": 300}")
          .getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
    } catch (Exception e) {
      throw new IOException(e);
    }
  }

  private static Map<String, String> form(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      out.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  /** An RS256 JWT as distribution's token auth reads it; {@code pullName} null gives no access. */
  private static String jwt(String pullName) throws Exception {
    long now = Instant.now().getEpochSecond();
    String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5c\":[\"" + certificateDer + "\"]}";
    String access = pullName == null ? "[]"
        : "[{\"type\":\"repository\",\"name\":\"" + pullName + "\",\"actions\":[\"pull\"]}]";
    String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + USER + "\",\"aud\":\"" + SERVICE + "\",\"exp\":"
        + (now + 300) + ",\"nbf\":" + (now - 10) + ",\"iat\":" + now + ",\"jti\":\"" + Long.toHexString(System.nanoTime())
        + "\",\"access\":" + access + "}";
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String input = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Signature rsa = Signature.getInstance("SHA256withRSA");
    rsa.initSign(signingKey);
    rsa.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + b64.encodeToString(rsa.sign());
  }
}
