package dev.modelhost.engine.internal.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * A grammar compiled for one model's vocabulary: for each automaton state, the set of tokens that
 * keep the output inside the grammar, computed the first time a sequence reaches the state and
 * kept, so that masking a row of logits costs one pass over a bit set. Shared by every sequence
 * with the same constraint; thread-safe.
 */
public final class TokenConstraint {

  private final ByteAutomaton automaton;
  private final TokenVocabulary vocabulary;
  private final List<long[]> masks = new ArrayList<>();

  private TokenConstraint(ByteAutomaton automaton, TokenVocabulary vocabulary) {
    this.automaton = automaton;
    this.vocabulary = vocabulary;
  }

  /**
   * @throws GrammarTooLargeException when the grammar is too large to compile
   */
  public static TokenConstraint compile(Grammar grammar, TokenVocabulary vocabulary) {
    return new TokenConstraint(ByteAutomaton.compile(grammar), vocabulary);
  }

  public int start() {
    return automaton.start();
  }

  /** The allowed tokens in {@code state} as a bit set over token ids; do not modify. */
  public long[] allowed(int state) {
    synchronized (masks) {
      while (masks.size() <= state) {
        masks.add(null);
      }
      long[] mask = masks.get(state);
      if (mask == null) {
        mask = vocabulary.allowed(automaton, state);
        masks.set(state, mask);
      }
      return mask;
    }
  }

  /** The state after {@code token}, or {@link ByteAutomaton#DEAD} when the grammar does not allow it there. */
  public int next(int state, int token) {
    if (vocabulary.isEnd(token)) {
      return automaton.accepting(state) ? state : ByteAutomaton.DEAD;
    }
    byte[] bytes = vocabulary.bytes(token);
    return bytes.length == 0 ? ByteAutomaton.DEAD : automaton.walk(state, bytes);
  }

  /** Whether the output so far is a whole text of the grammar. */
  public boolean accepting(int state) {
    return automaton.accepting(state);
  }

  /** Whether the output is whole and nothing may follow: generation is over. */
  public boolean complete(int state) {
    return automaton.accepting(state) && !automaton.hasExits(state);
  }

  /**
   * Sets the logits of every token not allowed in {@code state} to negative infinity. When bias
   * has already removed every allowed token, the allowed ones are restored as equally likely, so
   * that a constrained sequence never leaves its grammar.
   */
  public void mask(int state, float[] logits) {
    long[] allowed = allowed(state);
    boolean any = false;
    for (int word = 0; word < allowed.length; word++) {
      long bits = allowed[word];
      int base = word << 6;
      int end = Math.min(64, logits.length - base);
      if (bits == -1L && end == 64) {
        for (int i = 0; i < 64 && !any; i++) {
          any = logits[base + i] != Float.NEGATIVE_INFINITY;
        }
        continue;
      }
      for (int i = 0; i < end; i++) {
        if ((bits & (1L << i)) == 0) {
          logits[base + i] = Float.NEGATIVE_INFINITY;
        } else if (!any && logits[base + i] != Float.NEGATIVE_INFINITY) {
          any = true;
        }
      }
    }
    for (int i = allowed.length << 6; i < logits.length; i++) {
      logits[i] = Float.NEGATIVE_INFINITY;
    }
    if (!any) {
      for (int i = 0; i < logits.length; i++) {
        if ((allowed[i >>> 6] & (1L << i)) != 0) {
          logits[i] = 0f;
        }
      }
    }
  }
}
