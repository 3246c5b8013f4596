package dev.stevedore.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.registry.RegistryClient;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageRefsTest {
  @Test
  void splitsReferences() {
    assertThat(ImageRefs.repository("127.0.0.1:5000/stevedore-demo:v1")).isEqualTo("127.0.0.1:5000/stevedore-demo");
    assertThat(ImageRefs.tag("127.0.0.1:5000/stevedore-demo:v1")).isEqualTo("v1");
    assertThat(ImageRefs.tag("127.0.0.1:5000/stevedore-demo")).isNull();
    assertThat(ImageRefs.repository("127.0.0.1:5000/x@sha256:abc")).isEqualTo("127.0.0.1:5000/x");
    assertThat(ImageRefs.registry("127.0.0.1:5000/x")).isEqualTo("127.0.0.1:5000");
    assertThat(ImageRefs.registry("library/nginx")).isEqualTo("docker.io");
    assertThat(ImageRefs.path("127.0.0.1:5000/a/b")).isEqualTo("a/b");
    assertThat(ImageRefs.path("nginx")).isEqualTo("library/nginx");
  }

  @Test
  void picksTheDigestOfTheRepository() {
    List<String> digests = List.of("other/x@sha256:111", "127.0.0.1:5000/x@sha256:222");
    assertThat(ImageRefs.digestFor(digests, "127.0.0.1:5000/x")).isEqualTo("sha256:222");
    assertThat(ImageRefs.digestFor(List.of(), "a")).isNull();
  }

  @Test
  void manifestUrlUsesPlainHttpOnlyOnLoopback() {
    assertThat(RegistryClient.manifestUrl("127.0.0.1:5000/stevedore-demo", "latest"))
        .isEqualTo("http://127.0.0.1:5000/v2/stevedore-demo/manifests/latest");
    assertThat(RegistryClient.manifestUrl("registry.example.com/team/app", "v1"))
        .isEqualTo("https://registry.example.com/v2/team/app/manifests/v1");
  }
}
