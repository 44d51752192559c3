package dev.modelhost.engine.internal.jinja;

import dev.modelhost.engine.internal.jinja.Lexer.Kind;
import dev.modelhost.engine.internal.jinja.Lexer.Token;
import dev.modelhost.engine.internal.jinja.Node.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Expressions with Jinja2's grammar and precedence: {@code or}, {@code and}, {@code not},
 * comparisons and {@code in}, {@code + -}, {@code ~}, {@code * / // %}, {@code **}, unary minus,
 * then filters and tests (so {@code not x is defined} is {@code not (x is defined)} and
 * {@code 'a' + b | trim} trims only {@code b}).
 */
final class ExpressionParser {

  private static final Set<String> TEST_ARG_STOP = Set.of("else", "or", "and");
  private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", "<=", ">", ">=");

  private final TokenStream in;

  ExpressionParser(TokenStream in) {
    this.in = in;
  }

  private boolean tupleEnds(Set<String> ends) {
    Token t = in.peek();
    return t.kind() == Kind.VAR_END || t.kind() == Kind.BLOCK_END || t.kind() == Kind.EOF || t.is(Kind.OPERATOR, ")")
        || (t.kind() == Kind.NAME && ends.contains(t.value()));
  }

  /** Comma-separated expressions: one expression, or a tuple when there is a comma. */
  Expr tuple(boolean withCondition, Set<String> ends) {
    List<Expr> items = new ArrayList<>();
    boolean comma = false;
    while (true) {
      if (!items.isEmpty()) {
        if (!in.acceptOp(",")) {
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
      throw in.error("Expected an expression, got " + TokenStream.describe(in.peek()), in.peek());
    }
    return items.size() == 1 && !comma ? items.get(0) : new Node.TupleExpr(items);
  }

  Expr expression(boolean withCondition) {
    return withCondition ? conditional() : or();
  }

  private Expr conditional() {
    Expr value = or();
    while (in.acceptName("if")) {
      Expr condition = or();
      Expr otherwise = in.acceptName("else") ? conditional() : null;
      value = new Node.Conditional(condition, value, otherwise);
    }
    return value;
  }

  private Expr or() {
    Expr left = and();
    while (in.isName("or")) {
      int offset = in.next().offset();
      left = new Node.Binary("or", left, and(), offset);
    }
    return left;
  }

  private Expr and() {
    Expr left = not();
    while (in.isName("and")) {
      int offset = in.next().offset();
      left = new Node.Binary("and", left, not(), offset);
    }
    return left;
  }

  private Expr not() {
    if (in.isName("not")) {
      int offset = in.next().offset();
      return new Node.Unary("not", not(), offset);
    }
    return compare();
  }

  private Expr compare() {
    Expr left = math1();
    Expr result = null;
    while (true) {
      Token token = in.peek();
      String op;
      if (token.kind() == Kind.OPERATOR && COMPARISONS.contains(token.value())) {
        op = in.next().value();
      } else if (in.isName("in")) {
        in.next();
        op = "in";
      } else if (in.isName("not") && in.peek(1).is(Kind.NAME, "in")) {
        in.next();
        in.next();
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
    while (in.isOp("+") || in.isOp("-")) {
      Token op = in.next();
      left = new Node.Binary(op.value(), left, concat(), op.offset());
    }
    return left;
  }

  private Expr concat() {
    Expr left = math2();
    while (in.isOp("~")) {
      Token op = in.next();
      left = new Node.Binary("~", left, math2(), op.offset());
    }
    return left;
  }

  private Expr math2() {
    Expr left = pow();
    while (in.isOp("*") || in.isOp("/") || in.isOp("//") || in.isOp("%")) {
      Token op = in.next();
      left = new Node.Binary(op.value(), left, pow(), op.offset());
    }
    return left;
  }

  private Expr pow() {
    Expr left = unary(true);
    while (in.isOp("**")) {
      Token op = in.next();
      left = new Node.Binary("**", left, unary(true), op.offset());
    }
    return left;
  }

  private Expr unary(boolean withFilter) {
    Expr node;
    if (in.isOp("-") || in.isOp("+")) {
      Token op = in.next();
      node = new Node.Unary(op.value(), unary(false), op.offset());
    } else {
      node = primary();
    }
    node = postfix(node);
    return withFilter ? filters(node) : node;
  }

  private Expr primary() {
    Token token = in.next();
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
        while (in.peek().kind() == Kind.STRING) {
          text.append(in.next().value());
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
            if (in.acceptOp(")")) {
              return new Node.TupleExpr(List.of());
            }
            Expr inner = tuple(true, Set.of());
            in.expectOp(")");
            return inner;
          }
          case "[" -> {
            List<Expr> items = new ArrayList<>();
            while (!in.acceptOp("]")) {
              if (!items.isEmpty()) {
                in.expectOp(",");
                if (in.acceptOp("]")) {
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
            while (!in.acceptOp("}")) {
              if (!keys.isEmpty()) {
                in.expectOp(",");
                if (in.acceptOp("}")) {
                  break;
                }
              }
              keys.add(expression(true));
              in.expectOp(":");
              values.add(expression(true));
            }
            return new Node.DictExpr(keys, values);
          }
          default -> { }
        }
      }
      default -> { }
    }
    throw in.error("Unexpected " + TokenStream.describe(token), token);
  }

  private Expr postfix(Expr node) {
    while (true) {
      if (in.isOp(".")) {
        in.next();
        Token name = in.next();
        if (name.kind() == Kind.NAME) {
          node = new Node.Attribute(node, name.value());
        } else if (name.kind() == Kind.INTEGER) {
          node = new Node.Item(node, new Node.Literal(Long.parseLong(name.value())));
        } else {
          throw in.error("Expected an attribute name, got " + TokenStream.describe(name), name);
        }
      } else if (in.isOp("[")) {
        in.next();
        node = subscript(node);
      } else if (in.isOp("(")) {
        node = call(node, in.next().offset());
      } else {
        return node;
      }
    }
  }

  private Expr subscript(Expr node) {
    Expr start = in.isOp(":") ? null : expression(true);
    if (!in.acceptOp(":")) {
      in.expectOp("]");
      return new Node.Item(node, start == null ? new Node.Literal(NoneValue.NONE) : start);
    }
    Expr stop = in.isOp(":") || in.isOp("]") ? null : expression(true);
    Expr step = null;
    if (in.acceptOp(":")) {
      step = in.isOp("]") ? null : expression(true);
    }
    in.expectOp("]");
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
    while (!in.acceptOp(")")) {
      if (!first) {
        in.expectOp(",");
        if (in.acceptOp(")")) {
          return;
        }
      }
      first = false;
      if (in.isOp("*") || in.isOp("**")) {
        throw in.error("Argument unpacking is not supported in chat templates", in.peek());
      }
      if (in.peek().kind() == Kind.NAME && in.peek(1).is(Kind.OPERATOR, "=")) {
        names.add(in.next().value());
        in.next();
        values.add(expression(true));
      } else {
        if (!names.isEmpty()) {
          throw in.error("Positional argument after keyword argument", in.peek());
        }
        args.add(expression(true));
      }
    }
  }

  private String dottedName() {
    StringBuilder name = new StringBuilder(in.expect(Kind.NAME, "a name").value());
    while (in.isOp(".") && in.peek(1).kind() == Kind.NAME) {
      in.next();
      name.append('.').append(in.next().value());
    }
    return name.toString();
  }

  private Expr filters(Expr node) {
    while (true) {
      if (in.isOp("|")) {
        int offset = in.next().offset();
        String name = dottedName();
        List<Expr> args = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        if (in.acceptOp("(")) {
          callArgs(args, names, values);
        }
        node = new Node.Filter(node, name, args, names, values, offset);
      } else if (in.isName("is")) {
        int offset = in.next().offset();
        boolean negated = in.acceptName("not");
        String name = dottedName();
        List<Expr> args = new ArrayList<>();
        Token t = in.peek();
        if (in.acceptOp("(")) {
          List<String> names = new ArrayList<>();
          callArgs(args, names, new ArrayList<>());
          if (!names.isEmpty()) {
            throw in.error("Tests take no keyword arguments here", t);
          }
        } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INTEGER || t.kind() == Kind.FLOAT
                || t.is(Kind.OPERATOR, "[") || t.is(Kind.OPERATOR, "{"))
            && !(t.kind() == Kind.NAME && TEST_ARG_STOP.contains(t.value()))) {
          if (t.is(Kind.NAME, "is")) {
            throw in.error("You cannot chain multiple tests with is", t);
          }
          args.add(postfix(primary()));
        }
        node = new Node.Test(node, name, args, negated, offset);
      } else if (in.isOp("(")) {
        node = call(node, in.next().offset());
      } else {
        return node;
      }
    }
  }
}
