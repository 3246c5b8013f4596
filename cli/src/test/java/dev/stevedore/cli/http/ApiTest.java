package dev.stevedore.cli.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.cli.ExitCode;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiTest {
  private final Api api = new Api("trigger", URI.create("http://127.0.0.1:8080/"), () -> "t",
      HttpClient.newHttpClient(), Duration.ofSeconds(1));

  @Test
  void aProblemDocumentGivesTitleDetailAndTheExitCodeOfItsStatus() {
    var e = api.refusal(403, Optional.empty(),
        "{\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403,\"detail\":\"token ci lacks role deployer\"}");
    assertThat(e.exitCode()).isEqualTo(ExitCode.FORBIDDEN);
    assertThat(e.getMessage()).isEqualTo("trigger refused (403 Forbidden): token ci lacks role deployer (this token's role does not allow it)");
  }

  @Test
  void retryAfterIsShownAndA429IsBusy() {
    var e = api.refusal(429, Optional.of("5"), "{\"title\":\"Too Many Requests\",\"detail\":\"rate limit\"}");
    assertThat(e.exitCode()).isEqualTo(ExitCode.BUSY);
    assertThat(e.getMessage()).contains("rate limit; retry after 5 s");
  }

  @Test
  void aBodyThatIsNoProblemDocumentLeavesTheReasonPhrase() {
    var e = api.refusal(502, Optional.empty(), "<html>Bad gateway</html>");
    assertThat(e.exitCode()).isEqualTo(ExitCode.SERVER_ERROR);
    assertThat(e.getMessage()).isEqualTo("trigger refused (502 Bad Gateway)");
    assertThat(api.refusal(401, Optional.empty(), "").exitCode()).isEqualTo(ExitCode.UNAUTHORIZED);
    assertThat(api.refusal(404, Optional.empty(), "[]").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(api.refusal(409, Optional.empty(), "{\"title\":7}").getMessage()).isEqualTo("trigger refused (409 Conflict)");
  }

  @Test
  void aLongDetailIsCut() {
    var e = api.refusal(400, Optional.empty(), "{\"detail\":\"" + "x".repeat(5000) + "\"}");
    assertThat(e.getMessage()).hasSizeLessThan(Problem.MAX_DETAIL + 100).endsWith("...");
  }

  @Test
  void queryValuesAndPathSegmentsArePercentEncoded() {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("service", "a b&c=d");
    q.put("host", null);
    q.put("since", "2026-01-01T00:00:00+01:00");
    assertThat(api.uri("/api/v1/deployments", q)).hasToString(
        "http://127.0.0.1:8080/api/v1/deployments?service=a%20b%26c%3Dd&since=2026-01-01T00%3A00%3A00%2B01%3A00");
    assertThat(Api.segment("../x/y?z")).isEqualTo("..%2Fx%2Fy%3Fz");
  }
}
