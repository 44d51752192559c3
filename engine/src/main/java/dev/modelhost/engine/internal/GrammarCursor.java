package dev.modelhost.engine.internal;

import dev.modelhost.engine.internal.grammar.ByteAutomaton;
import dev.modelhost.engine.internal.grammar.TokenConstraint;
import dev.modelhost.exception.BackendException;

/** Where one sequence's output stands in its constraint's grammar. */
final class GrammarCursor {

  private final TokenConstraint constraint;
  private int state;

  GrammarCursor(TokenConstraint constraint) {
    this.constraint = constraint;
    this.state = constraint.start();
  }

  /** Removes from {@code logits} every token that would leave the grammar. */
  void mask(float[] logits) {
    constraint.mask(state, logits);
  }

  /**
   * Moves past {@code token}, which {@link #mask} allowed.
   *
   * @throws BackendException when no token of the vocabulary could continue the output (the grammar
   *     needs text the model cannot write)
   */
  void accept(int token) {
    int next = constraint.next(state, token);
    if (next == ByteAutomaton.DEAD) {
      throw new BackendException("The model's vocabulary cannot continue the constrained output here.", null);
    }
    state = next;
  }

  /** Whether the output is whole and nothing may follow. */
  boolean complete() {
    return constraint.complete(state);
  }
}
