package dev.modelhost.engine.internal.tools;

/**
 * Checks JSON as a model writes it, character by character: a value read to its end, or a valid
 * beginning of one ({@link TextCursor#INCOMPLETE}), or not JSON ({@link TextCursor#MISMATCH}). A
 * valid beginning can be sent on at once: whatever follows only extends it.
 */
final class JsonText {

  private static final int MAX_DEPTH = 256;

  private JsonText() {}

  /** Reads one value (after leading whitespace); the cursor ends just after it. */
  static void value(TextCursor in) {
    value(in, 0);
  }

  private static void value(TextCursor in, int depth) {
    if (depth > MAX_DEPTH) {
      throw TextCursor.MISMATCH;
    }
    in.skipWhitespace();
    char c = in.peek();
    switch (c) {
      case '{' -> object(in, depth);
      case '[' -> array(in, depth);
      case '"' -> string(in);
      case 't' -> in.expect("true");
      case 'f' -> in.expect("false");
      case 'n' -> in.expect("null");
      default -> number(in);
    }
  }

  private static void object(TextCursor in, int depth) {
    in.expect("{");
    in.skipWhitespace();
    if (in.consume("}")) {
      return;
    }
    while (true) {
      in.skipWhitespace();
      string(in);
      in.skipWhitespace();
      in.expect(":");
      value(in, depth + 1);
      if (in.listEnds('}')) {
        return;
      }
    }
  }

  private static void array(TextCursor in, int depth) {
    in.expect("[");
    in.skipWhitespace();
    if (in.consume("]")) {
      return;
    }
    while (true) {
      value(in, depth + 1);
      if (in.listEnds(']')) {
        return;
      }
    }
  }

  /** Reads a string and returns its decoded text. */
  static String string(TextCursor in) {
    in.expect("\"");
    StringBuilder out = new StringBuilder();
    while (true) {
      char c = in.next();
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        throw TextCursor.MISMATCH;
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = in.next();
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          int code = 0;
          for (int i = 0; i < 4; i++) {
            int digit = Character.digit(in.next(), 16);
            if (digit < 0) {
              throw TextCursor.MISMATCH;
            }
            code = code * 16 + digit;
          }
          out.append((char) code);
        }
        default -> throw TextCursor.MISMATCH;
      }
    }
  }

  private static void number(TextCursor in) {
    in.consume("-");
    char first = in.next();
    if (first == '0') {
      // no more integer digits after a leading zero
    } else if (first >= '1' && first <= '9') {
      digits(in, false);
    } else {
      throw TextCursor.MISMATCH;
    }
    if (in.peekOrEnd() == '.') {
      in.next();
      digits(in, true);
    }
    int c = in.peekOrEnd();
    if (c == 'e' || c == 'E') {
      in.next();
      int sign = in.peek();
      if (sign == '+' || sign == '-') {
        in.next();
      }
      digits(in, true);
    }
  }

  /** Digits up to the first other character; a number is never known to be whole before one. */
  private static void digits(TextCursor in, boolean atLeastOne) {
    int count = 0;
    while (true) {
      int c = in.peekOrEnd();
      if (c < '0' || c > '9') {
        if (atLeastOne && count == 0) {
          throw TextCursor.MISMATCH;
        }
        return;
      }
      in.next();
      count++;
    }
  }

  /** Whether {@code text} is exactly one JSON value, whitespace around it allowed. */
  static boolean isValue(String text) {
    TextCursor in = new TextCursor(text, 0, true);
    try {
      value(in);
      in.skipWhitespace();
      return in.atEnd();
    } catch (TextCursor.Signal e) {
      return false;
    }
  }

  /** Whether {@code text} is exactly one JSON object, whitespace around it allowed. */
  static boolean isObject(String text) {
    return text.strip().startsWith("{") && isValue(text);
  }
}
