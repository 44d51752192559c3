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
 * Builds the syntax tree of a template: text, output and the tags chat templates use
 * ({@code if}, {@code for} with loop filters and {@code else}, {@code set} and set blocks,
 * {@code macro}, {@code break}, {@code continue}, transformers' {@code generation}); expressions
 * are left to {@link ExpressionParser}.
 */
final class Parser {

  private final TokenStream in;
  private final ExpressionParser expr;
  private int loopDepth;

  private Parser(TokenStream in) {
    this.in = in;
    this.expr = new ExpressionParser(in);
  }

  static List<Stmt> parse(String normalizedSource) {
    Parser parser = new Parser(new TokenStream(normalizedSource, Lexer.tokenize(normalizedSource)));
    List<Stmt> body = parser.statements(Set.of());
    parser.in.expect(Kind.EOF, "end of template");
    return body;
  }

  /** Statements up to a block tag named in {@code ends} (left unconsumed) or the end of input. */
  private List<Stmt> statements(Set<String> ends) {
    List<Stmt> body = new ArrayList<>();
    while (true) {
      Token token = in.peek();
      switch (token.kind()) {
        case EOF -> {
          if (!ends.isEmpty()) {
            throw in.error("Unexpected end of template; expected one of " + ends, token);
          }
          return body;
        }
        case TEXT -> body.add(new Node.Text(in.next().value()));
        case VAR_BEGIN -> {
          in.next();
          body.add(new Node.Output(expr.tuple(true, Set.of())));
          in.expect(Kind.VAR_END, "end of print statement");
        }
        case BLOCK_BEGIN -> {
          Token name = in.peek(1);
          if (name.kind() == Kind.NAME && ends.contains(name.value())) {
            return body;
          }
          in.next();
          body.add(block(in.expect(Kind.NAME, "a tag name")));
        }
        default -> throw in.error("Unexpected " + TokenStream.describe(token), token);
      }
    }
  }

  private void endTag() {
    in.expect(Kind.BLOCK_END, "end of tag");
  }

  /** Consumes {@code {% name %}}, the tag that {@link #statements} stopped at. */
  private String closing() {
    in.next();
    String name = in.next().value();
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
          throw in.error("'" + name.value() + "' outside of a loop", name);
        }
        endTag();
        yield name.value().equals("break") ? new Node.Break() : new Node.Continue();
      }
      default -> throw in.error("Encountered unknown tag '" + name.value() + "'", name);
    };
  }

  private Stmt ifBlock() {
    List<Node.Branch> branches = new ArrayList<>();
    Expr condition = expr.tuple(false, Set.of());
    while (true) {
      endTag();
      List<Stmt> body = statements(Set.of("elif", "else", "endif"));
      branches.add(new Node.Branch(condition, body));
      String tag = in.peek(1).value();
      in.next();
      in.next();
      if (tag.equals("elif")) {
        condition = expr.tuple(false, Set.of());
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
    in.expectName("in");
    Expr iterable = expr.tuple(false, Set.of("recursive"));
    Expr filter = in.acceptName("if") ? expr.expression(true) : null;
    if (in.isName("recursive")) {
      throw in.error("Recursive loops are not supported in chat templates", in.peek());
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
    if (in.acceptOp("=")) {
      Expr value = expr.tuple(true, Set.of());
      endTag();
      return new Node.Set(target, value);
    }
    endTag();
    List<Stmt> body = statements(Set.of("endset"));
    closing();
    return new Node.SetBlock(target, body);
  }

  private Stmt macroBlock() {
    String name = in.expect(Kind.NAME, "a macro name").value();
    in.expectOp("(");
    List<String> params = new ArrayList<>();
    List<@Nullable Expr> defaults = new ArrayList<>();
    while (!in.acceptOp(")")) {
      if (!params.isEmpty()) {
        in.expectOp(",");
        if (in.acceptOp(")")) {
          break;
        }
      }
      params.add(in.expect(Kind.NAME, "a parameter name").value());
      defaults.add(in.acceptOp("=") ? expr.expression(true) : null);
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
    if (withNamespace && in.peek().kind() == Kind.NAME && in.peek(1).is(Kind.OPERATOR, ".") && in.peek(2).kind() == Kind.NAME) {
      Node.Name owner = new Node.Name(in.next().value());
      in.next();
      return new Node.Attribute(owner, in.next().value());
    }
    List<Expr> names = new ArrayList<>();
    do {
      if (in.peek().kind() != Kind.NAME || ends.contains(in.peek().value())) {
        break;
      }
      names.add(new Node.Name(in.next().value()));
    } while (in.acceptOp(","));
    if (names.isEmpty()) {
      throw in.error("Can't assign to " + TokenStream.describe(in.peek()), in.peek());
    }
    return names.size() == 1 && !in.previous().is(Kind.OPERATOR, ",") ? names.get(0) : new Node.TupleExpr(names);
  }

}
