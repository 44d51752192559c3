package dev.modelhost.engine.internal.grammar;

import static dev.modelhost.engine.internal.grammar.Grammar.choice;
import static dev.modelhost.engine.internal.grammar.Grammar.literal;
import static dev.modelhost.engine.internal.grammar.Grammar.repeat;
import static dev.modelhost.engine.internal.grammar.Grammar.sequence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ByteAutomatonTest {

  private static boolean matches(Grammar grammar, String text) {
    ByteAutomaton automaton = ByteAutomaton.compile(grammar);
    int state = automaton.walk(automaton.start(), text.getBytes(StandardCharsets.UTF_8));
    return state != ByteAutomaton.DEAD && automaton.accepting(state);
  }

  @Test
  void literalsChoicesAndSequences() {
    Grammar g = sequence(literal("a"), choice(literal("b"), literal("cd")), literal("e"));
    assertThat(matches(g, "abe")).isTrue();
    assertThat(matches(g, "acde")).isTrue();
    assertThat(matches(g, "ace")).isFalse();
    assertThat(matches(g, "ab")).isFalse();
    assertThat(matches(g, "abee")).isFalse();
  }

  @Test
  void boundedAndUnboundedRepetition() {
    Grammar bounded = repeat(literal("ab"), 1, 3);
    assertThat(matches(bounded, "")).isFalse();
    assertThat(matches(bounded, "ab")).isTrue();
    assertThat(matches(bounded, "ababab")).isTrue();
    assertThat(matches(bounded, "abababab")).isFalse();
    Grammar star = sequence(literal("x"), repeat(literal("y"), 0, Grammar.UNBOUNDED), literal("z"));
    assertThat(matches(star, "xz")).isTrue();
    assertThat(matches(star, "xyyyyyyyyyyz")).isTrue();
    assertThat(matches(star, "xyyy")).isFalse();
  }

  @Test
  void separatedLists() {
    Grammar any = Grammar.separated(literal("a"), literal(","), 0, Grammar.UNBOUNDED);
    assertThat(matches(any, "")).isTrue();
    assertThat(matches(any, "a")).isTrue();
    assertThat(matches(any, "a,a,a")).isTrue();
    assertThat(matches(any, "a,")).isFalse();
    assertThat(matches(any, ",a")).isFalse();
    assertThat(matches(any, "aa")).isFalse();
    Grammar atLeastTwo = Grammar.separated(literal("a"), literal(","), 2, Grammar.UNBOUNDED);
    assertThat(matches(atLeastTwo, "a")).isFalse();
    assertThat(matches(atLeastTwo, "a,a,a,a")).isTrue();
    Grammar twoToThree = Grammar.separated(literal("a"), literal(","), 2, 3);
    assertThat(matches(twoToThree, "a")).isFalse();
    assertThat(matches(twoToThree, "a,a")).isTrue();
    assertThat(matches(twoToThree, "a,a,a")).isTrue();
    assertThat(matches(twoToThree, "a,a,a,a")).isFalse();
  }

  @Test
  void optionalPartsInsideLoopsDoNotLeakTheirExits() {
    // (x? y)* z and (x{0,2} y){1,2}: an exit taken before x must not be available after x.
    Grammar star =
        sequence(
            repeat(sequence(Grammar.optional(literal("x")), literal("y")), 0, Grammar.UNBOUNDED),
            literal("z"));
    assertThat(matches(star, "xyyxyz")).isTrue();
    assertThat(matches(star, "xz")).isFalse();
    assertThat(matches(star, "xyxz")).isFalse();
    Grammar bounded = repeat(sequence(repeat(literal("x"), 0, 2), literal("y")), 1, 2);
    assertThat(matches(bounded, "xxyy")).isTrue();
    assertThat(matches(bounded, "xyx")).isFalse();
    assertThat(matches(bounded, "xxxy")).isFalse();
  }

  @Test
  void utf8CharactersAreWholeAndValid() {
    Grammar chars = repeat(Grammar.utf8Char(ByteSet.ofChars("\"")), 0, Grammar.UNBOUNDED);
    assertThat(matches(chars, "héllo ☃ 𝄞")).isTrue();
    assertThat(matches(chars, "a\"b")).isFalse();
    ByteAutomaton automaton = ByteAutomaton.compile(chars);
    // An overlong encoding and a surrogate are not UTF-8.
    assertThat(automaton.walk(automaton.start(), new byte[] {(byte) 0xC0, (byte) 0x80})).isEqualTo(ByteAutomaton.DEAD);
    assertThat(automaton.walk(automaton.start(), new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})).isEqualTo(ByteAutomaton.DEAD);
    // Half a character is a live prefix but not a whole text.
    int half = automaton.walk(automaton.start(), new byte[] {(byte) 0xE2, (byte) 0x98});
    assertThat(half).isNotEqualTo(ByteAutomaton.DEAD);
    assertThat(automaton.accepting(half)).isFalse();
  }

  @Test
  void equivalentSubsetsShareOneState() {
    ByteAutomaton automaton = ByteAutomaton.compile(repeat(literal("a"), 0, Grammar.UNBOUNDED));
    automaton.walk(automaton.start(), "aaaaaaaaaa".getBytes(StandardCharsets.UTF_8));
    assertThat(automaton.stateCount()).isLessThanOrEqualTo(2);
  }

  @Test
  void aGrammarTooLargeIsRefused() {
    Grammar huge = repeat(repeat(literal("abcdefghij"), 0, 1000), 0, 1000);
    assertThatThrownBy(() -> ByteAutomaton.compile(huge)).isInstanceOf(GrammarTooLargeException.class);
  }

  @Test
  void textAvoidingForbiddenStringsThenOptionallyOne() {
    Grammar text = Grammar.textAvoiding(java.util.List.of("<tool_call>", "[CALL]"));
    assertThat(matches(text, "")).isTrue();
    assertThat(matches(text, "plain text with < and <tool and [CALL ]")).isTrue();
    assertThat(matches(text, "ends in a half <tool_ca")).isTrue();
    assertThat(matches(text, "x<tool_call>")).isFalse();
    assertThat(matches(text, "<<tool_call>")).isFalse();
    assertThat(matches(text, "a[CALL]b")).isFalse();
    assertThat(matches(text, "héllo ☃")).isTrue();
    Grammar answer = sequence(text, Grammar.optional(literal("<tool_call>{}")));
    assertThat(matches(answer, "Let me check.<tool_call>{}")).isTrue();
    assertThat(matches(answer, "<tool_call>{}")).isTrue();
    assertThat(matches(answer, "<tool_call>{} and more")).isFalse();
    assertThat(matches(answer, "<tool_call>oops")).isFalse();
  }
}
