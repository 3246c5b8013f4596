package dev.stevedore.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Utf8#isValid} gives the JDK decoder's verdict (REPORT on malformed input) on every input tried. */
class Utf8Test {
  static boolean decoderSays(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  static void agrees(byte[] bytes) {
    assertThat(Utf8.isValid(bytes)).as(Arrays.toString(bytes)).isEqualTo(decoderSays(bytes));
  }

  @Test
  void knownCases() {
    assertThat(Utf8.isValid(new byte[0])).isTrue();
    assertThat(Utf8.isValid("{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(Utf8.isValid("naïve café, 日本, 😀, \u007f\u0080\u07ff\u0800\uffff".getBytes(StandardCharsets.UTF_8)))
        .isTrue();
    assertThat(Utf8.isValid(new byte[] {(byte) 0x80})).as("a stray continuation byte").isFalse();
    assertThat(Utf8.isValid(new byte[] {(byte) 0xc0, (byte) 0xaf})).as("overlong '/'").isFalse();
    assertThat(Utf8.isValid(new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0xaf})).as("overlong, 3 bytes").isFalse();
    assertThat(Utf8.isValid(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80})).as("a surrogate, U+D800").isFalse();
    assertThat(Utf8.isValid(new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80})).as("U+110000").isFalse();
    assertThat(Utf8.isValid(new byte[] {'a', (byte) 0xe6, (byte) 0x97})).as("truncated at the end").isFalse();
    assertThat(Utf8.isValid(new byte[] {(byte) 0xff})).isFalse();
  }

  @Test
  void everyOneAndTwoByteInputAgreesWithTheDecoder() {
    for (int a = 0; a < 256; a++) {
      agrees(new byte[] {(byte) a});
      for (int b = 0; b < 256; b++) {
        agrees(new byte[] {(byte) a, (byte) b});
      }
    }
  }

  @Test
  void everyThreeAndFourByteSequenceOverTheBoundaryBytesAgreesWithTheDecoder() {
    int[] edges = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec,
        0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf8, 0xfe, 0xff};
    for (int a = 0xc0; a < 256; a++) { // every lead byte
      for (int b : edges) {
        for (int c : edges) {
          agrees(new byte[] {(byte) a, (byte) b, (byte) c});
          for (int d : edges) {
            agrees(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
          }
        }
      }
    }
  }

  @Test
  void randomInputsAgreeWithTheDecoder() {
    Random random = new Random(14);
    String sample = "deploy ✓ 日本語 😀 ü";
    byte[] valid = sample.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 200_000; i++) {
      byte[] bytes;
      if (i % 2 == 0) { // valid text with one byte changed, dropped or cut
        bytes = Arrays.copyOf(valid, random.nextInt(valid.length + 1));
        if (bytes.length > 0 && random.nextBoolean()) {
          bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
      } else {
        bytes = new byte[random.nextInt(12)];
        random.nextBytes(bytes);
      }
      agrees(bytes);
    }
  }
}
