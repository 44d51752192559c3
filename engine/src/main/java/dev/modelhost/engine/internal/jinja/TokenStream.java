package dev.modelhost.engine.internal.jinja;

import dev.modelhost.engine.internal.jinja.Lexer.Kind;
import dev.modelhost.engine.internal.jinja.Lexer.Token;
import java.util.List;

/** The parsers' cursor over the lexer's tokens. */
final class TokenStream {

  private final String src;
  private final List<Token> tokens;
  private int at;

  TokenStream(String src, List<Token> tokens) {
    this.src = src;
    this.tokens = tokens;
  }

  Token peek() {
    return tokens.get(at);
  }

  Token peek(int ahead) {
    return tokens.get(Math.min(at + ahead, tokens.size() - 1));
  }

  Token next() {
    return tokens.get(at++);
  }

  boolean isOp(String op) {
    return peek().is(Kind.OPERATOR, op);
  }

  boolean isName(String name) {
    return peek().is(Kind.NAME, name);
  }

  boolean acceptOp(String op) {
    if (isOp(op)) {
      at++;
      return true;
    }
    return false;
  }

  boolean acceptName(String name) {
    if (isName(name)) {
      at++;
      return true;
    }
    return false;
  }

  Token expect(Kind kind, String what) {
    if (peek().kind() != kind) {
      throw error("Expected " + what + ", got " + describe(peek()), peek());
    }
    return next();
  }

  void expectOp(String op) {
    if (!acceptOp(op)) {
      throw error("Expected '" + op + "', got " + describe(peek()), peek());
    }
  }

  void expectName(String name) {
    if (!acceptName(name)) {
      throw error("Expected '" + name + "', got " + describe(peek()), peek());
    }
  }

  static String describe(Token token) {
    return switch (token.kind()) {
      case EOF -> "end of template";
      case BLOCK_END, VAR_END -> "end of tag";
      case TEXT -> "text";
      default -> "'" + token.value() + "'";
    };
  }

  TemplateException.Syntax error(String message, Token token) {
    return Template.syntaxError(message, src, token.offset());
  }

  /** The token before the current one. */
  Token previous() {
    return tokens.get(at - 1);
  }
}
