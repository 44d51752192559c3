package dev.modelhost.engine.internal.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into text and tag tokens the way Jinja2's lexer does with
 * {@code trim_blocks=True}, {@code lstrip_blocks=True} and {@code keep_trailing_newline=False}:
 * line endings become {@code \n}, one trailing newline of the source is dropped, {@code -} and
 * {@code +} control the whitespace beside a tag, comments vanish, raw blocks stay text.
 */
final class Lexer {

  enum Kind { TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF }

  record Token(Kind kind, String value, int offset) {
    boolean is(Kind k, String v) {
      return kind == k && value.equals(v);
    }
  }

  private static final String[] OPERATORS = {
    "//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "(", ")", "[", "]", "{", "}", ",", ".", ":",
    "|", "=", "<", ">", ";"
  };

  private final String src;
  private final List<Token> tokens = new ArrayList<>();
  private int pos;

  private Lexer(String src) {
    this.src = src;
  }

  /** The source as Jinja2 sees it: normalised line endings, one trailing newline dropped. */
  static String normalize(String source) {
    String s = source.replace("\r\n", "\n").replace('\r', '\n');
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  static List<Token> tokenize(String normalizedSource) {
    Lexer lexer = new Lexer(normalizedSource);
    lexer.run();
    return lexer.tokens;
  }

  private void run() {
    boolean lineStarting = true;
    while (pos < src.length()) {
      int start = nextTagStart(pos);
      if (start < 0) {
        text(src.substring(pos), pos);
        break;
      }
      String text = src.substring(pos, start);
      char type = src.charAt(start + 1);
      char modifier = start + 2 < src.length() ? src.charAt(start + 2) : ' ';
      if (modifier == '-') {
        text = Strings.strip(text, null, false, true);
      } else if (modifier != '+' && type != '{') {
        int lineStart = text.lastIndexOf('\n') + 1;
        if ((lineStart > 0 || lineStarting) && isBlank(text, lineStart)) {
          text = text.substring(0, lineStart);
        }
      }
      text(text, pos);
      pos = start + 2 + (modifier == '-' || modifier == '+' ? 1 : 0);
      if (type == '#') {
        pos = tagEnd(src.indexOf("#}", pos), start, "comment", true);
      } else if (type == '{') {
        tokens.add(new Token(Kind.VAR_BEGIN, "{{", start));
        expression("}}", start);
      } else if (isRaw(pos)) {
        raw(start);
      } else {
        tokens.add(new Token(Kind.BLOCK_BEGIN, "{%", start));
        expression("%}", start);
      }
      lineStarting = pos > 0 && src.charAt(pos - 1) == '\n';
    }
    tokens.add(new Token(Kind.EOF, "", src.length()));
  }

  private static boolean isBlank(String text, int from) {
    if (from >= text.length()) {
      return false;
    }
    for (int i = from; i < text.length(); i++) {
      if (!Strings.isSpace(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private int nextTagStart(int from) {
    int i = src.indexOf('{', from);
    while (i >= 0 && i + 1 < src.length()) {
      char c = src.charAt(i + 1);
      if (c == '{' || c == '%' || c == '#') {
        return i;
      }
      i = src.indexOf('{', i + 1);
    }
    return -1;
  }

  private void text(String text, int offset) {
    if (!text.isEmpty()) {
      tokens.add(new Token(Kind.TEXT, text, offset));
    }
  }

  /** Moves past a tag's closing delimiter at {@code end}, honouring {@code -} and trim_blocks. */
  private int tagEnd(int end, int start, String what, boolean trim) {
    if (end < 0) {
      throw Template.syntaxError("Missing end of " + what + " tag", src, start);
    }
    boolean strip = end > 0 && src.charAt(end - 1) == '-' && end - 1 >= start + 2;
    boolean keep = end > 0 && src.charAt(end - 1) == '+' && end - 1 >= start + 2;
    int after = end + 2;
    if (strip) {
      while (after < src.length() && Strings.isSpace(src.charAt(after))) {
        after++;
      }
    } else if (trim && !keep && after < src.length() && src.charAt(after) == '\n') {
      after++;
    }
    return after;
  }

  private boolean isRaw(int at) {
    int i = skipSpace(at);
    if (!src.startsWith("raw", i)) {
      return false;
    }
    int j = skipSpace(i + 3);
    return src.startsWith("%}", j) || src.startsWith("-%}", j) || src.startsWith("+%}", j);
  }

  private int skipSpace(int i) {
    while (i < src.length() && Strings.isSpace(src.charAt(i))) {
      i++;
    }
    return i;
  }

  private void raw(int start) {
    pos = tagEnd(src.indexOf("%}", pos), start, "raw", true);
    int search = pos;
    while (true) {
      int tag = src.indexOf("{%", search);
      if (tag < 0) {
        throw Template.syntaxError("Missing end of raw directive", src, start);
      }
      int i = tag + 2;
      boolean strip = i < src.length() && src.charAt(i) == '-';
      i = skipSpace(strip || (i < src.length() && src.charAt(i) == '+') ? i + 1 : i);
      if (src.startsWith("endraw", i)) {
        String body = src.substring(pos, tag);
        text(strip ? Strings.strip(body, null, false, true) : body, pos);
        pos = tagEnd(src.indexOf("%}", i), tag, "endraw", true);
        return;
      }
      search = tag + 2;
    }
  }

  /** Tokens of an expression up to the closing delimiter, which must balance brackets first. */
  private void expression(String close, int start) {
    int depth = 0;
    while (true) {
      pos = skipSpace(pos);
      if (pos >= src.length()) {
        throw Template.syntaxError("Unexpected end of template inside a tag", src, start);
      }
      if (depth == 0 && (src.startsWith(close, pos) || src.startsWith("-" + close, pos) || src.startsWith("+" + close, pos))) {
        int end = src.charAt(pos) == '-' || src.charAt(pos) == '+' ? pos + 1 : pos;
        tokens.add(new Token(close.equals("}}") ? Kind.VAR_END : Kind.BLOCK_END, close, pos));
        pos = tagEnd(end, start, "tag", close.equals("%}"));
        return;
      }
      char c = src.charAt(pos);
      if (c == '\'' || c == '"') {
        string(c);
      } else if (Character.isDigit(c)) {
        number();
      } else if (Character.isLetter(c) || c == '_') {
        int begin = pos;
        while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
          pos++;
        }
        tokens.add(new Token(Kind.NAME, src.substring(begin, pos), begin));
      } else {
        String op = operatorAt(pos);
        if (op == null) {
          throw Template.syntaxError("Unexpected char " + Values.reprString(String.valueOf(c)), src, pos);
        }
        depth += "([{".contains(op) ? 1 : ")]}".contains(op) ? -1 : 0;
        if (depth < 0) {
          throw Template.syntaxError("Unexpected '" + op + "'", src, pos);
        }
        tokens.add(new Token(Kind.OPERATOR, op, pos));
        pos += op.length();
      }
    }
  }

  private @org.jspecify.annotations.Nullable String operatorAt(int at) {
    for (String op : OPERATORS) {
      if (src.startsWith(op, at)) {
        return op;
      }
    }
    return null;
  }

  private void number() {
    int begin = pos;
    while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
      pos++;
    }
    boolean isFloat = false;
    if (pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
      isFloat = true;
      pos++;
      while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
        pos++;
      }
    }
    if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
      int mark = pos++;
      if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
        pos++;
      }
      if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
        isFloat = true;
        while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
          pos++;
        }
      } else {
        pos = mark;
      }
    }
    tokens.add(new Token(isFloat ? Kind.FLOAT : Kind.INTEGER, src.substring(begin, pos).replace("_", ""), begin));
  }

  /** A string literal with Python's escapes; a backslash before a newline continues the line. */
  private void string(char quote) {
    int begin = pos++;
    StringBuilder out = new StringBuilder();
    while (true) {
      if (pos >= src.length()) {
        throw Template.syntaxError("Unterminated string", src, begin);
      }
      char c = src.charAt(pos++);
      if (c == quote) {
        break;
      }
      if (c != '\\' || pos >= src.length()) {
        out.append(c);
        continue;
      }
      char e = src.charAt(pos++);
      switch (e) {
        case '\n' -> { }
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case '\\', '\'', '"' -> out.append(e);
        case 'a' -> out.append('\u0007');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'v' -> out.append('\u000b');
        case '0' -> out.append('\0');
        case 'x' -> out.appendCodePoint(hex(2));
        case 'u' -> out.appendCodePoint(hex(4));
        case 'U' -> out.appendCodePoint(hex(8));
        default -> out.append('\\').append(e);
      }
    }
    tokens.add(new Token(Kind.STRING, out.toString(), begin));
  }

  private int hex(int digits) {
    if (pos + digits > src.length()) {
      throw Template.syntaxError("Truncated escape in string", src, pos);
    }
    try {
      int value = Integer.parseInt(src.substring(pos, pos + digits), 16);
      pos += digits;
      return value;
    } catch (NumberFormatException e) {
      throw Template.syntaxError("Invalid escape in string", src, pos);
    }
  }
}
