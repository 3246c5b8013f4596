package dev.stevedore.audit.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class HashChainTest {
  @Test
  void isSha256OfThePreviousHexHashAndTheCanonicalBytes() throws Exception {
    byte[] event = "{\"id\":\"1\"}".getBytes(StandardCharsets.UTF_8);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(("0".repeat(64) + "{\"id\":\"1\"}").getBytes(StandardCharsets.UTF_8));
    String expected = HexFormat.of().formatHex(sha.digest());

    assertThat(HashChain.next(HashChain.GENESIS, event)).isEqualTo(expected).hasSize(64);
  }

  @Test
  void dependsOnThePreviousLink() {
    byte[] event = "{}".getBytes(StandardCharsets.UTF_8);
    String a = HashChain.next(HashChain.GENESIS, event);
    assertThat(HashChain.next(a, event)).isNotEqualTo(a);
    assertThat(HashChain.next(HashChain.GENESIS, "{ }".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(a);
  }
}
