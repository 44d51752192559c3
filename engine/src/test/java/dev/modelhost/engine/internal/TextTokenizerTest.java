package dev.modelhost.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.exception.ModelLoadException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextTokenizerTest {

  private static TextTokenizer load(String name) {
    return TextTokenizer.load(ModelDirectory.open(TestModels.path(name)));
  }

  private static String bytesOf(TextTokenizer tokenizer, int[] ids) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int id : ids) {
      out.writeBytes(tokenizer.bytes(id));
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void byteTableDecodesLikeTheNativeTokenizer() {
    try (TextTokenizer tokenizer = load(TestModels.BYTE_LEVEL)) {
      String text = "Hello world! Ünïcödé → 漢字 and emoji 🙂, tabs\tand\nnewlines.";
      int[] ids = tokenizer.encodeRendered(text);
      assertThat(ids).isNotEmpty();
      assertThat(tokenizer.decode(ids)).isEqualTo(text);
      assertThat(bytesOf(tokenizer, ids)).isEqualTo(text);
    }
  }

  @Test
  void specialTokensInRenderedTextAreSingleIdsAndAddNoText() {
    try (TextTokenizer tokenizer = load(TestModels.BYTE_LEVEL)) {
      int[] ids = tokenizer.encodeRendered("<|im_start|>user\nhi<|im_end|>");
      assertThat(ids[0]).isEqualTo(2046);
      assertThat(ids[ids.length - 1]).isEqualTo(2047);
      assertThat(tokenizer.isSpecial(2046)).isTrue();
      assertThat(tokenizer.bytes(2047)).isEmpty();
      assertThat(tokenizer.display(2047)).isEqualTo("<|im_end|>");
      assertThat(tokenizer.eosId()).isEqualTo(2045);
      assertThat(tokenizer.bosId()).isEqualTo(2044);
    }
  }

  @Test
  void completionPromptGetsNoBosWhenConfigSaysNo() {
    try (TextTokenizer tokenizer = load(TestModels.BYTE_LEVEL)) {
      assertThat(tokenizer.encodePrompt("hello")).isEqualTo(tokenizer.encodeRendered("hello"));
    }
  }

  @Test
  void completionPromptGetsBosOnceWhenConfigSaysSo() {
    try (TextTokenizer tokenizer = load(TestModels.SENTENCE_PIECE)) {
      int[] ids = tokenizer.encodePrompt("hello world");
      assertThat(ids).containsExactly(1, tokenizer.idOf("\u2581hello"), tokenizer.idOf("\u2581world"));
      assertThat(tokenizer.encodeRendered("hello world")).doesNotContain(1);
    }
  }

  @Test
  void byteFallbackTokensCarryRawBytesAndLeadingSpaceIsStripped() {
    try (TextTokenizer tokenizer = load(TestModels.SENTENCE_PIECE)) {
      int[] ids = tokenizer.encodeRendered("hello é");
      int c3 = tokenizer.idOf("<0xC3>");
      int a9 = tokenizer.idOf("<0xA9>");
      assertThat(ids).endsWith(c3, a9);
      assertThat(tokenizer.bytes(c3)).containsExactly((byte) 0xC3);
      assertThat(tokenizer.display(c3)).isEqualTo("bytes:\\xc3");
      assertThat(tokenizer.stripsLeadingSpace()).isTrue();
      assertThat(bytesOf(tokenizer, ids)).isEqualTo(" hello é");
      assertThat(tokenizer.decode(ids)).isEqualTo("hello é");
      assertThat(tokenizer.settings().modelMaxLength()).isZero();
    }
  }

  @Test
  void aTokenHoldingTheEndOfACharacterIsDisplayedAsItsBytes() {
    try (TextTokenizer tokenizer = load(TestModels.SENTENCE_PIECE)) {
      // 0xA9 alone continues a character it does not start: OpenAI shows such a token as bytes.
      assertThat(tokenizer.display(tokenizer.idOf("<0xA9>"))).isEqualTo("bytes:\\xa9");
    }
  }

  @Test
  void missingTokenizerJsonFailsToLoad(@TempDir Path dir) {
    assertThatThrownBy(() -> TextTokenizer.load(ModelDirectory.open(dir)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("tokenizer.json");
  }

  @Test
  void closedTokenizerRefusesWork() {
    TextTokenizer tokenizer = load(TestModels.BYTE_LEVEL);
    tokenizer.close();
    assertThatThrownBy(() -> tokenizer.encodeRendered("x")).isInstanceOf(IllegalStateException.class);
  }
}
