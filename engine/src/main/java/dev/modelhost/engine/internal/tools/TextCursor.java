package dev.modelhost.engine.internal.tools;

/**
 * Reads a tool-call section of a model's output that may still be growing. Running out of text
 * throws {@link #INCOMPLETE} while more may come and {@link #MISMATCH} once the output has ended;
 * text that cannot be part of the section throws {@link #MISMATCH}. Both are shared, stackless
 * signals: formats re-read a section from its start on every new piece of text, so the reading code
 * stays a plain recursive descent.
 */
final class TextCursor {

  /** The text read so far is a valid beginning, but more is needed to decide. */
  static final Signal INCOMPLETE = new Signal("incomplete");
  /** The text is not what the format expects. */
  static final Signal MISMATCH = new Signal("mismatch");

  private final CharSequence text;
  private final boolean ended;
  private int pos;

  /**
   * @param ended whether the output is complete (nothing more will be appended)
   */
  TextCursor(CharSequence text, int pos, boolean ended) {
    this.text = text;
    this.pos = pos;
    this.ended = ended;
  }

  int pos() {
    return pos;
  }

  /** Moves back to {@code position}, read before. */
  void reset(int position) {
    pos = position;
  }

  CharSequence text() {
    return text;
  }

  String substring(int from, int to) {
    return text.subSequence(from, to).toString();
  }

  /** Whether the output ended here: no more text, and none will come. */
  boolean atEnd() {
    return ended && pos >= text.length();
  }

  /** The next character, or -1 when the output ended here. */
  int peekOrEnd() {
    if (pos < text.length()) {
      return text.charAt(pos);
    }
    if (ended) {
      return -1;
    }
    throw INCOMPLETE;
  }

  char peek() {
    int c = peekOrEnd();
    if (c < 0) {
      throw MISMATCH;
    }
    return (char) c;
  }

  char next() {
    char c = peek();
    pos++;
    return c;
  }

  void skipWhitespace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  /**
   * After a list item: skips whitespace, then reads {@code close} (true: the list ends) or a comma
   * (false: another item follows).
   *
   * @throws Signal {@link #MISMATCH} on anything else
   */
  boolean listEnds(char close) {
    skipWhitespace();
    char c = next();
    if (c == close) {
      return true;
    }
    if (c != ',') {
      throw MISMATCH;
    }
    return false;
  }

  void expect(String literal) {
    if (!consume(literal)) {
      throw MISMATCH;
    }
  }

  /**
   * Consumes {@code literal} when the text continues with it; false when it does not. Throws
   * {@link #INCOMPLETE} when the text ends inside a beginning of it.
   */
  boolean consume(String literal) {
    for (int i = 0; i < literal.length(); i++) {
      int at = pos + i;
      if (at >= text.length()) {
        if (ended) {
          return false;
        }
        throw INCOMPLETE;
      }
      if (text.charAt(at) != literal.charAt(i)) {
        return false;
      }
    }
    pos += literal.length();
    return true;
  }

  /**
   * The text up to {@code terminator}, which is consumed too. Throws {@link #INCOMPLETE} until the
   * terminator is there.
   */
  String until(String terminator) {
    int from = pos;
    while (!consume(terminator)) {
      next();
    }
    return substring(from, pos - terminator.length());
  }

  /** The first index of {@code needle} in {@code text} at or after {@code from}, or -1. */
  static int indexOf(CharSequence text, String needle, int from) {
    int last = text.length() - needle.length();
    outer:
    for (int i = Math.max(0, from); i <= last; i++) {
      for (int j = 0; j < needle.length(); j++) {
        if (text.charAt(i + j) != needle.charAt(j)) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** A shared control-flow signal without a stack trace. */
  static final class Signal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private Signal(String what) {
      super(what, null, false, false);
    }
  }
}
