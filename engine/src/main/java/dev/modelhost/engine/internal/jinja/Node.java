package dev.modelhost.engine.internal.jinja;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** The syntax tree of a template: statements that write output and expressions that compute values. */
sealed interface Node {

  /** Something that renders into the output. */
  sealed interface Stmt extends Node {}

  /** Something that computes a value; {@code offset} locates it in the source for error messages. */
  sealed interface Expr extends Node {}

  record Text(String text) implements Stmt {}

  record Output(Expr expr) implements Stmt {}

  record If(List<Branch> branches, List<Stmt> otherwise) implements Stmt {}

  record Branch(Expr condition, List<Stmt> body) {}

  /** {@code for target in iterable [if filter]}, with the {@code else} body for an empty loop. */
  record For(Expr target, Expr iterable, @Nullable Expr filter, List<Stmt> body, List<Stmt> otherwise) implements Stmt {}

  /** {@code set target = value}; the target is a name, a tuple of names or {@code ns.attr}. */
  record Set(Expr target, Expr value) implements Stmt {}

  /** {@code set name}...{@code endset}: the rendered body becomes the value. */
  record SetBlock(Expr target, List<Stmt> body) implements Stmt {}

  record Macro(String name, List<String> params, List<@Nullable Expr> defaults, List<Stmt> body) implements Stmt {}

  /** {@code generation}...{@code endgeneration}: transformers' marker of assistant text; renders its body. */
  record Generation(List<Stmt> body) implements Stmt {}

  record Break() implements Stmt {}

  record Continue() implements Stmt {}

  record Literal(Object value) implements Expr {}

  record Name(String name) implements Expr {}

  record ListExpr(List<Expr> items) implements Expr {}

  record TupleExpr(List<Expr> items) implements Expr {}

  record DictExpr(List<Expr> keys, List<Expr> values) implements Expr {}

  /** {@code obj.name}: Python attribute first, then item. */
  record Attribute(Expr object, String name) implements Expr {}

  /** {@code obj[key]}: item first, then attribute. */
  record Item(Expr object, Expr key) implements Expr {}

  record Slice(Expr object, @Nullable Expr start, @Nullable Expr stop, @Nullable Expr step) implements Expr {}

  record Call(Expr callee, List<Expr> args, List<String> keywordNames, List<Expr> keywordValues, int offset) implements Expr {}

  record Filter(Expr value, String name, List<Expr> args, List<String> keywordNames, List<Expr> keywordValues, int offset) implements Expr {}

  record Test(Expr value, String name, List<Expr> args, boolean negated, int offset) implements Expr {}

  /** A binary operator: arithmetic, {@code ~}, comparison, {@code in} / {@code not in}, {@code and} / {@code or}. */
  record Binary(String op, Expr left, Expr right, int offset) implements Expr {}

  record Unary(String op, Expr operand, int offset) implements Expr {}

  record Conditional(Expr condition, Expr then, @Nullable Expr otherwise) implements Expr {}
}
