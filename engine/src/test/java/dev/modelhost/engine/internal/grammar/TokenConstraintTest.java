package dev.modelhost.engine.internal.grammar;

import static dev.modelhost.engine.internal.grammar.Grammar.choice;
import static dev.modelhost.engine.internal.grammar.Grammar.literal;
import static dev.modelhost.engine.internal.grammar.Grammar.sequence;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenConstraintTest {

  /** Tokens: 0 "{", 1 "}", 2 "{}", 3 "a", 4 "ab", 5 "b", 6 special (no bytes), 7 end. */
  private static final TokenVocabulary VOCABULARY = new TokenVocabulary(9, new byte[][] {
      b("{"), b("}"), b("{}"), b("a"), b("ab"), b("b"), new byte[0], new byte[0]}, new int[] {7});

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<Integer> allowed(TokenConstraint constraint, int state) {
    long[] mask = constraint.allowed(state);
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < VOCABULARY.size(); i++) {
      if ((mask[i >>> 6] & (1L << i)) != 0) {
        ids.add(i);
      }
    }
    return ids;
  }

  @Test
  void tokensSpanningSeveralGrammarSymbolsAreAllowedWhole() {
    TokenConstraint constraint = TokenConstraint.compile(sequence(literal("{"), choice(literal("ab"), literal("b")), literal("}")),
        VOCABULARY);
    int start = constraint.start();
    assertThat(allowed(constraint, start)).containsExactly(0);
    int open = constraint.next(start, 0);
    assertThat(allowed(constraint, open)).containsExactly(3, 4, 5);
    int a = constraint.next(open, 3);
    assertThat(allowed(constraint, a)).containsExactly(5);
    int body = constraint.next(a, 5);
    assertThat(constraint.accepting(body)).isFalse();
    int closed = constraint.next(body, 1);
    // Whole: only the end token is left, and nothing may follow.
    assertThat(allowed(constraint, closed)).containsExactly(7);
    assertThat(constraint.complete(closed)).isTrue();
    assertThat(constraint.next(start, 2)).isEqualTo(ByteAutomaton.DEAD);
  }

  @Test
  void maskingSetsEveryOtherTokenToNegativeInfinity() {
    TokenConstraint constraint = TokenConstraint.compile(literal("{}"), VOCABULARY);
    float[] row = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    constraint.mask(constraint.start(), row);
    assertThat(row).containsExactly(1, Float.NEGATIVE_INFINITY, 3, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY);
  }

  @Test
  void whenBiasBannedEveryAllowedTokenTheyBecomeEquallyLikely() {
    TokenConstraint constraint = TokenConstraint.compile(literal("{}"), VOCABULARY);
    float[] row = new float[9];
    row[0] = Float.NEGATIVE_INFINITY;
    row[2] = Float.NEGATIVE_INFINITY;
    constraint.mask(constraint.start(), row);
    assertThat(row[0]).isZero();
    assertThat(row[2]).isZero();
    assertThat(row[3]).isEqualTo(Float.NEGATIVE_INFINITY);
  }
}
