package dev.modelhost.engine.internal.grammar;

/** A grammar needs more automaton states than a constraint may use. */
public final class GrammarTooLargeException extends RuntimeException {

  GrammarTooLargeException(int limit) {
    super("The constraint is too large to compile (more than " + limit + " automaton states).");
  }
}
