package dev.modelhost.engine.internal.jinja;

import dev.modelhost.engine.internal.jinja.Lexer.Kind;
import dev.modelhost.engine.internal.jinja.Lexer.Token;
import dev.modelhost.engine.internal.jinja.Node.Expr;
import dev.modelhost.engine.internal.jinja.Node.Stmt;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Builds the syntax tree with Jinja2's grammar and precedence: {@code or}, {@code and},
 * {@code not}, comparisons and {@code in}, {@code + -}, {@code ~}, {@code * / // %},
 * {@code **}, unary minus, then filters and tests (so {@code not x is defined} is
 * {@code not (x is defined)} and {@code 'a' + b | trim} trims only {@code b}).
 */
final class Parser {

  private static final Set<String> TEST_ARG_STOP = Set.of("else", "or", "and");

  private final String src;
  private final List<Token> tokens;
  private int at;
  private int loopDepth;

  private Parser(String src, List<Token> tokens) {
    this.src = src;
    this.tokens = tokens;
  }

  static List<Stmt> parse(String normalizedSource) {
    Parser parser = new Parser(normalizedSource, Lexer.tokenize(normalizedSource));
    List<Stmt> body = parser.statements(Set.of());
    parser.expect(Kind.EOF, "end of template");
    return body;
  }

  private Token peek() {
    return tokens.get(at);
  }

  private Token peek(int ahead) {
    return tokens.get(Math.min(at + ahead, tokens.size() - 1));
  }

  private Token next() {
    return tokens.get(at++);
  }

  private boolean isOp(String op) {
    return peek().is(Kind.OPERATOR, op);
  }

  private boolean isName(String name) {
    return peek().is(Kind.NAME, name);
  }

  private boolean acceptOp(String op) {
    if (isOp(op)) {
      at++;
      return true;
    }
    return false;
  }

  private boolean acceptName(String name) {
    if (isName(name)) {
      at++;
      return true;
    }
    return false;
  }

  private Token expect(Kind kind, String what) {
    if (peek().kind() != kind) {
      throw error("Expected " + what + ", got " + describe(peek()), peek());
    }
    return next();
  }

  private void expectOp(String op) {
    if (!acceptOp(op)) {
      throw error("Expected '" + op + "', got " + describe(peek()), peek());
    }
  }

  private void expectName(String name) {
    if (!acceptName(name)) {
      throw error("Expected '" + name + "', got " + describe(peek()), peek());
    }
  }

  private static String describe(Token token) {
    return switch (token.kind()) {
      case EOF -> "end of template";
      case BLOCK_END, VAR_END -> "end of tag";
      case TEXT -> "text";
      default -> "'" + token.value() + "'";
    };
  }

  private TemplateException.Syntax error(String message, Token token) {
    return Template.syntaxError(message, src, token.offset());
  }

  // ---- statements ----

  /** Statements up to a block tag named in {@code ends} (left unconsumed) or the end of input. */
  private List<Stmt> statements(Set<String> ends) {
    List<Stmt> body = new ArrayList<>();
    while (true) {
      Token token = peek();
      switch (token.kind()) {
        case EOF -> {
          if (!ends.isEmpty()) {
            throw error("Unexpected end of template; expected one of " + ends, token);
          }
          return body;
        }
        case TEXT -> body.add(new Node.Text(next().value()));
        case VAR_BEGIN -> {
          next();
          body.add(new Node.Output(tuple(true, Set.of())));
          expect(Kind.VAR_END, "end of print statement");
        }
        case BLOCK_BEGIN -> {
          Token name = peek(1);
          if (name.kind() == Kind.NAME && ends.contains(name.value())) {
            return body;
          }
          next();
          body.add(block(expect(Kind.NAME, "a tag name")));
        }
        default -> throw error("Unexpected " + describe(token), token);
      }
    }
  }

  private void endTag() {
    expect(Kind.BLOCK_END, "end of tag");
  }

  /** Consumes {@code {% name %}}, the tag that {@link #statements} stopped at. */
  private String closing() {
    next();
    String name = next().value();
    endTag();
    return name;
  }

  private Stmt block(Token name) {
    return switch (name.value()) {
      case "if" -> ifBlock();
      case "for" -> forBlock();
      case "set" -> setBlock();
      case "macro" -> macroBlock();
      case "generation" -> {
        endTag();
        List<Stmt> body = statements(Set.of("endgeneration"));
        closing();
        yield new Node.Generation(body);
      }
      case "break", "continue" -> {
        if (loopDepth == 0) {
          throw error("'" + name.value() + "' outside of a loop", name);
        }
        endTag();
        yield name.value().equals("break") ? new Node.Break() : new Node.Continue();
      }
      default -> throw error("Encountered unknown tag '" + name.value() + "'", name);
    };
  }

  private Stmt ifBlock() {
    List<Node.Branch> branches = new ArrayList<>();
    Expr condition = tuple(false, Set.of());
    while (true) {
      endTag();
      List<Stmt> body = statements(Set.of("elif", "else", "endif"));
      branches.add(new Node.Branch(condition, body));
      String tag = peek(1).value();
      next();
      next();
      if (tag.equals("elif")) {
        condition = tuple(false, Set.of());
        continue;
      }
      List<Stmt> otherwise = List.of();
      if (tag.equals("else")) {
        endTag();
        otherwise = statements(Set.of("endif"));
        closing();
      } else {
        endTag();
      }
      return new Node.If(branches, otherwise);
    }
  }

  private Stmt forBlock() {
    Expr target = assignTarget(Set.of("in"), false);
    expectName("in");
    Expr iterable = tuple(false, Set.of("recursive"));
    Expr filter = acceptName("if") ? expression(true) : null;
    if (isName("recursive")) {
      throw error("Recursive loops are not supported in chat templates", peek());
    }
    endTag();
    loopDepth++;
    List<Stmt> body = statements(Set.of("endfor", "else"));
    loopDepth--;
    List<Stmt> otherwise = List.of();
    if (closing().equals("else")) {
      otherwise = statements(Set.of("endfor"));
      closing();
    }
    return new Node.For(target, iterable, filter, body, otherwise);
  }

  private Stmt setBlock() {
    Expr target = assignTarget(Set.of(), true);
    if (acceptOp("=")) {
      Expr value = tuple(true, Set.of());
      endTag();
      return new Node.Set(target, value);
    }
    endTag();
    List<Stmt> body = statements(Set.of("endset"));
    closing();
    return new Node.SetBlock(target, body);
  }

  private Stmt macroBlock() {
    String name = expect(Kind.NAME, "a macro name").value();
    expectOp("(");
    List<String> params = new ArrayList<>();
    List<@Nullable Expr> defaults = new ArrayList<>();
    while (!acceptOp(")")) {
      if (!params.isEmpty()) {
        expectOp(",");
        if (acceptOp(")")) {
          break;
        }
      }
      params.add(expect(Kind.NAME, "a parameter name").value());
      defaults.add(acceptOp("=") ? expression(true) : null);
    }
    endTag();
    int outerLoops = loopDepth;
    loopDepth = 0;
    List<Stmt> body = statements(Set.of("endmacro"));
    loopDepth = outerLoops;
    closing();
    return new Node.Macro(name, params, defaults, body);
  }

  /** A name, {@code ns.attr} (only where allowed) or a tuple of names. */
  private Expr assignTarget(Set<String> ends, boolean withNamespace) {
    if (withNamespace && peek().kind() == Kind.NAME && peek(1).is(Kind.OPERATOR, ".") && peek(2).kind() == Kind.NAME) {
      Node.Name owner = new Node.Name(next().value());
      next();
      return new Node.Attribute(owner, next().value());
    }
    List<Expr> names = new ArrayList<>();
    do {
      if (peek().kind() != Kind.NAME || ends.contains(peek().value())) {
        break;
      }
      names.add(new Node.Name(next().value()));
    } while (acceptOp(","));
    if (names.isEmpty()) {
      throw error("Can't assign to " + describe(peek()), peek());
    }
    return names.size() == 1 && !tokens.get(at - 1).is(Kind.OPERATOR, ",") ? names.get(0) : new Node.TupleExpr(names);
  }

  // ---- expressions ----

  private boolean tupleEnds(Set<String> ends) {
    Token t = peek();
    return t.kind() == Kind.VAR_END || t.kind() == Kind.BLOCK_END || t.kind() == Kind.EOF || t.is(Kind.OPERATOR, ")")
        || (t.kind() == Kind.NAME && ends.contains(t.value()));
  }

  /** Comma-separated expressions: one expression, or a tuple when there is a comma. */
  private Expr tuple(boolean withCondition, Set<String> ends) {
    List<Expr> items = new ArrayList<>();
    boolean comma = false;
    while (true) {
      if (!items.isEmpty()) {
        if (!acceptOp(",")) {
          break;
        }
        comma = true;
      }
      if (tupleEnds(ends)) {
        break;
      }
      items.add(expression(withCondition));
    }
    if (items.isEmpty() && !comma) {
      throw error("Expected an expression, got " + describe(peek()), peek());
    }
    return items.size() == 1 && !comma ? items.get(0) : new Node.TupleExpr(items);
  }

  private Expr expression(boolean withCondition) {
    return withCondition ? conditional() : or();
  }

  private Expr conditional() {
    Expr value = or();
    while (acceptName("if")) {
      Expr condition = or();
      Expr otherwise = acceptName("else") ? conditional() : null;
      value = new Node.Conditional(condition, value, otherwise);
    }
    return value;
  }

  private Expr or() {
    Expr left = and();
    while (isName("or")) {
      int offset = next().offset();
      left = new Node.Binary("or", left, and(), offset);
    }
    return left;
  }

  private Expr and() {
    Expr left = not();
    while (isName("and")) {
      int offset = next().offset();
      left = new Node.Binary("and", left, not(), offset);
    }
    return left;
  }

  private Expr not() {
    if (isName("not")) {
      int offset = next().offset();
      return new Node.Unary("not", not(), offset);
    }
    return compare();
  }

  private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", "<=", ">", ">=");

  private Expr compare() {
    Expr left = math1();
    Expr result = null;
    while (true) {
      Token token = peek();
      String op;
      if (token.kind() == Kind.OPERATOR && COMPARISONS.contains(token.value())) {
        op = next().value();
      } else if (isName("in")) {
        next();
        op = "in";
      } else if (isName("not") && peek(1).is(Kind.NAME, "in")) {
        next();
        next();
        op = "not in";
      } else {
        break;
      }
      Expr right = math1();
      Expr comparison = new Node.Binary(op, left, right, token.offset());
      result = result == null ? comparison : new Node.Binary("and", result, comparison, token.offset());
      left = right;
    }
    return result == null ? left : result;
  }

  private Expr math1() {
    Expr left = concat();
    while (isOp("+") || isOp("-")) {
      Token op = next();
      left = new Node.Binary(op.value(), left, concat(), op.offset());
    }
    return left;
  }

  private Expr concat() {
    Expr left = math2();
    while (isOp("~")) {
      Token op = next();
      left = new Node.Binary("~", left, math2(), op.offset());
    }
    return left;
  }

  private Expr math2() {
    Expr left = pow();
    while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
      Token op = next();
      left = new Node.Binary(op.value(), left, pow(), op.offset());
    }
    return left;
  }

  private Expr pow() {
    Expr left = unary(true);
    while (isOp("**")) {
      Token op = next();
      left = new Node.Binary("**", left, unary(true), op.offset());
    }
    return left;
  }

  private Expr unary(boolean withFilter) {
    Expr node;
    if (isOp("-") || isOp("+")) {
      Token op = next();
      node = new Node.Unary(op.value(), unary(false), op.offset());
    } else {
      node = primary();
    }
    node = postfix(node);
    return withFilter ? filters(node) : node;
  }

  private Expr primary() {
    Token token = next();
    switch (token.kind()) {
      case NAME -> {
        return switch (token.value()) {
          case "true", "True" -> new Node.Literal(Boolean.TRUE);
          case "false", "False" -> new Node.Literal(Boolean.FALSE);
          case "none", "None" -> new Node.Literal(NoneValue.NONE);
          default -> new Node.Name(token.value());
        };
      }
      case STRING -> {
        StringBuilder text = new StringBuilder(token.value());
        while (peek().kind() == Kind.STRING) {
          text.append(next().value());
        }
        return new Node.Literal(text.toString());
      }
      case INTEGER -> {
        return new Node.Literal(Long.parseLong(token.value()));
      }
      case FLOAT -> {
        return new Node.Literal(Double.parseDouble(token.value()));
      }
      case OPERATOR -> {
        switch (token.value()) {
          case "(" -> {
            if (acceptOp(")")) {
              return new Node.TupleExpr(List.of());
            }
            Expr inner = tuple(true, Set.of());
            expectOp(")");
            return inner;
          }
          case "[" -> {
            List<Expr> items = new ArrayList<>();
            while (!acceptOp("]")) {
              if (!items.isEmpty()) {
                expectOp(",");
                if (acceptOp("]")) {
                  break;
                }
              }
              items.add(expression(true));
            }
            return new Node.ListExpr(items);
          }
          case "{" -> {
            List<Expr> keys = new ArrayList<>();
            List<Expr> values = new ArrayList<>();
            while (!acceptOp("}")) {
              if (!keys.isEmpty()) {
                expectOp(",");
                if (acceptOp("}")) {
                  break;
                }
              }
              keys.add(expression(true));
              expectOp(":");
              values.add(expression(true));
            }
            return new Node.DictExpr(keys, values);
          }
          default -> { }
        }
      }
      default -> { }
    }
    throw error("Unexpected " + describe(token), token);
  }

  private Expr postfix(Expr node) {
    while (true) {
      if (isOp(".")) {
        next();
        Token name = next();
        if (name.kind() == Kind.NAME) {
          node = new Node.Attribute(node, name.value());
        } else if (name.kind() == Kind.INTEGER) {
          node = new Node.Item(node, new Node.Literal(Long.parseLong(name.value())));
        } else {
          throw error("Expected an attribute name, got " + describe(name), name);
        }
      } else if (isOp("[")) {
        next();
        node = subscript(node);
      } else if (isOp("(")) {
        node = call(node, next().offset());
      } else {
        return node;
      }
    }
  }

  private Expr subscript(Expr node) {
    Expr start = isOp(":") ? null : expression(true);
    if (!acceptOp(":")) {
      expectOp("]");
      return new Node.Item(node, start == null ? new Node.Literal(NoneValue.NONE) : start);
    }
    Expr stop = isOp(":") || isOp("]") ? null : expression(true);
    Expr step = null;
    if (acceptOp(":")) {
      step = isOp("]") ? null : expression(true);
    }
    expectOp("]");
    return new Node.Slice(node, start, stop, step);
  }

  private Node.Call call(Expr callee, int offset) {
    List<Expr> args = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<Expr> values = new ArrayList<>();
    callArgs(args, names, values);
    return new Node.Call(callee, args, names, values, offset);
  }

  /** Arguments after an opening parenthesis, through the closing one. */
  private void callArgs(List<Expr> args, List<String> names, List<Expr> values) {
    boolean first = true;
    while (!acceptOp(")")) {
      if (!first) {
        expectOp(",");
        if (acceptOp(")")) {
          return;
        }
      }
      first = false;
      if (isOp("*") || isOp("**")) {
        throw error("Argument unpacking is not supported in chat templates", peek());
      }
      if (peek().kind() == Kind.NAME && peek(1).is(Kind.OPERATOR, "=")) {
        names.add(next().value());
        next();
        values.add(expression(true));
      } else {
        if (!names.isEmpty()) {
          throw error("Positional argument after keyword argument", peek());
        }
        args.add(expression(true));
      }
    }
  }

  private String dottedName() {
    StringBuilder name = new StringBuilder(expect(Kind.NAME, "a name").value());
    while (isOp(".") && peek(1).kind() == Kind.NAME) {
      next();
      name.append('.').append(next().value());
    }
    return name.toString();
  }

  private Expr filters(Expr node) {
    while (true) {
      if (isOp("|")) {
        int offset = next().offset();
        String name = dottedName();
        List<Expr> args = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        if (acceptOp("(")) {
          callArgs(args, names, values);
        }
        node = new Node.Filter(node, name, args, names, values, offset);
      } else if (isName("is")) {
        int offset = next().offset();
        boolean negated = acceptName("not");
        String name = dottedName();
        List<Expr> args = new ArrayList<>();
        Token t = peek();
        if (acceptOp("(")) {
          List<String> names = new ArrayList<>();
          callArgs(args, names, new ArrayList<>());
          if (!names.isEmpty()) {
            throw error("Tests take no keyword arguments here", t);
          }
        } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INTEGER || t.kind() == Kind.FLOAT
                || t.is(Kind.OPERATOR, "[") || t.is(Kind.OPERATOR, "{"))
            && !(t.kind() == Kind.NAME && TEST_ARG_STOP.contains(t.value()))) {
          if (t.is(Kind.NAME, "is")) {
            throw error("You cannot chain multiple tests with is", t);
          }
          args.add(postfix(primary()));
        }
        node = new Node.Test(node, name, args, negated, offset);
      } else if (isOp("(")) {
        node = call(node, next().offset());
      } else {
        return node;
      }
    }
  }
}
