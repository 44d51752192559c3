package dev.modelhost.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.engine.ModelDirectory;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TextStreamTest {

  private static TextTokenizer tokenizer;

  @BeforeAll
  static void load() {
    tokenizer = TextTokenizer.load(ModelDirectory.open(TestModels.path(TestModels.SENTENCE_PIECE)));
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  private static int id(String piece) {
    int id = tokenizer.idOf(piece);
    assertThat(id).as(piece).isNotNegative();
    return id;
  }

  @Test
  void holdsBytesUntilACharacterIsWhole() {
    TextStream stream = new TextStream(tokenizer, new boolean[0], List.of());
    assertThat(stream.accept(id("\u2581hello"))).isEqualTo("hello");
    assertThat(stream.accept(id("\u2581"))).isEqualTo(" ");
    assertThat(stream.accept(id("<0xC3>"))).isEmpty();
    assertThat(stream.accept(id("<0xA9>"))).isEqualTo("é");
    assertThat(stream.accept(id("<0xF0>"))).isEmpty();
    assertThat(stream.accept(id("<0x9F>"))).isEmpty();
    assertThat(stream.accept(id("<0x99>"))).isEmpty();
    assertThat(stream.accept(id("<0x82>"))).isEqualTo("🙂");
    assertThat(stream.finish()).isEmpty();
  }

  @Test
  void incompleteCharacterAtTheEndBecomesReplacementCharacter() {
    TextStream stream = new TextStream(tokenizer, new boolean[0], List.of());
    assertThat(stream.accept(id("a"))).isEqualTo("a");
    assertThat(stream.accept(id("<0xE2>"))).isEmpty();
    assertThat(stream.finish()).isEqualTo("\uFFFD");
  }

  @Test
  void specialTokensAddNoText() {
    TextStream stream = new TextStream(tokenizer, new boolean[0], List.of());
    assertThat(stream.accept(id("</s>"))).isEmpty();
    assertThat(stream.accept(id("a"))).isEqualTo("a");
  }

  @Test
  void specialTokensAskedForAreShownAsTheirText() {
    boolean[] shown = new boolean[tokenizer.size()];
    shown[id("</s>")] = true;
    TextStream stream = new TextStream(tokenizer, shown, List.of());
    assertThat(stream.accept(id("a"))).isEqualTo("a");
    assertThat(stream.accept(id("</s>"))).isEqualTo("</s>");
    assertThat(stream.accept(id("<s>"))).isEmpty();
  }

  @Test
  void stopSequenceAcrossTokensIsNeverEmitted() {
    TextStream stream = new TextStream(tokenizer, new boolean[0], List.of("lo w"));
    StringBuilder out = new StringBuilder();
    out.append(stream.accept(id("\u2581hello")));
    assertThat(out).hasToString("hel");
    out.append(stream.accept(id("\u2581world")));
    assertThat(stream.stopped()).isTrue();
    out.append(stream.accept(id("a"))).append(stream.finish());
    assertThat(out).hasToString("hel");
  }

  @Test
  void heldBackPrefixIsReleasedWhenItTurnsOutNotToBeAStop() {
    TextStream stream = new TextStream(tokenizer, new boolean[0], List.of("lo w", "xyz"));
    assertThat(stream.accept(id("\u2581hello"))).isEqualTo("hel");
    assertThat(stream.accept(id("a"))).isEqualTo("loa");
    assertThat(stream.accept(id("\u2581hello"))).isEqualTo(" hel");
    assertThat(stream.finish()).isEqualTo("lo");
    assertThat(stream.stopped()).isFalse();
  }

  @Test
  void earliestOfSeveralStopsWins() {
    TextStream stream = new TextStream(tokenizer, new boolean[0], List.of("world", "o"));
    assertThat(stream.accept(id("\u2581hello"))).isEqualTo("hell");
    assertThat(stream.stopped()).isTrue();
  }

  @Test
  void stopInsideOneTokenCutsTheTextBeforeIt() {
    TextStream stream = new TextStream(tokenizer, new boolean[0], List.of("ll"));
    assertThat(stream.accept(id("\u2581hello"))).isEqualTo("he");
    assertThat(stream.stopped()).isTrue();
  }
}
