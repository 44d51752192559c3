package dev.modelhost.engine.internal.jinja;

import dev.modelhost.engine.internal.jinja.Node.Expr;
import dev.modelhost.engine.internal.jinja.Node.Stmt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Renders a syntax tree. Scopes follow Jinja2: a {@code for} body and a macro call get their
 * own scope (assignments inside do not leak out), {@code if} does not; names resolve from the
 * innermost scope outwards, and a missing name is {@link Undefined}.
 */
final class Interpreter {

  private enum Flow { NEXT, BREAK, CONTINUE }

  /**
   * How deep macros may call macros: about where Python's recursion limit stops Jinja2, and well
   * inside a thread's stack here, so a macro that calls itself without end fails as a template error.
   */
  private static final int MAX_MACRO_DEPTH = 250;

  private int macroDepth;

  /** Variables of one scope, falling back to the enclosing one. */
  static final class Scope {
    private final @Nullable Scope parent;
    private final Map<String, Object> vars = new HashMap<>();

    Scope(@Nullable Scope parent) {
      this.parent = parent;
    }

    Object get(String name) {
      for (Scope s = this; s != null; s = s.parent) {
        Object value = s.vars.get(name);
        if (value != null) {
          return value;
        }
      }
      return Undefined.named(name);
    }

    void set(String name, Object value) {
      vars.put(name, value);
    }
  }

  /** A macro: called like a function, it renders its body in a new scope and returns the text. */
  private final class MacroValue implements Callable {
    private final Node.Macro macro;
    private final Scope closure;

    MacroValue(Node.Macro macro, Scope closure) {
      this.macro = macro;
      this.closure = closure;
    }

    @Override
    public Object call(List<Object> args, Map<String, Object> kwargs) {
      List<String> params = macro.params();
      if (args.size() > params.size()) {
        throw new TemplateException.Runtime("macro '" + macro.name() + "' takes not more than " + params.size() + " argument(s)");
      }
      for (String key : kwargs.keySet()) {
        if (!params.contains(key)) {
          throw new TemplateException.Runtime("macro '" + macro.name() + "' takes no keyword argument '" + key + "'");
        }
      }
      Scope scope = new Scope(closure);
      for (int i = 0; i < params.size(); i++) {
        String param = params.get(i);
        Expr fallback = macro.defaults().get(i);
        Object value = i < args.size() ? args.get(i)
            : kwargs.containsKey(param) ? kwargs.get(param)
            : fallback != null ? eval(fallback, scope) : Undefined.named(param);
        scope.set(param, value);
      }
      if (macroDepth >= MAX_MACRO_DEPTH) {
        throw new TemplateException.Runtime("maximum recursion depth exceeded in macro '" + macro.name() + "'");
      }
      macroDepth++;
      try {
        StringBuilder out = new StringBuilder();
        execute(macro.body(), scope, out);
        return out.toString();
      } finally {
        macroDepth--;
      }
    }
  }

  /** Renders {@code body} with {@code globals} as the outermost scope. */
  String render(List<Stmt> body, Map<String, Object> globals) {
    Scope root = new Scope(null);
    globals.forEach(root::set);
    StringBuilder out = new StringBuilder();
    execute(body, new Scope(root), out);
    return out.toString();
  }

  private Flow execute(List<Stmt> body, Scope scope, StringBuilder out) {
    for (Stmt stmt : body) {
      Flow flow = execute(stmt, scope, out);
      if (flow != Flow.NEXT) {
        return flow;
      }
    }
    return Flow.NEXT;
  }

  private Flow execute(Stmt stmt, Scope scope, StringBuilder out) {
    if (stmt instanceof Node.Text t) {
      out.append(t.text());
    } else if (stmt instanceof Node.Output o) {
      out.append(Values.str(eval(o.expr(), scope)));
    } else if (stmt instanceof Node.If i) {
      for (Node.Branch branch : i.branches()) {
        if (Values.truthy(eval(branch.condition(), scope))) {
          return execute(branch.body(), scope, out);
        }
      }
      return execute(i.otherwise(), scope, out);
    } else if (stmt instanceof Node.For f) {
      loop(f, scope, out);
    } else if (stmt instanceof Node.Set s) {
      assign(s.target(), eval(s.value(), scope), scope);
    } else if (stmt instanceof Node.SetBlock s) {
      StringBuilder text = new StringBuilder();
      execute(s.body(), scope, text);
      assign(s.target(), text.toString(), scope);
    } else if (stmt instanceof Node.Macro m) {
      scope.set(m.name(), new MacroValue(m, scope));
    } else if (stmt instanceof Node.Generation g) {
      return execute(g.body(), scope, out);
    } else if (stmt instanceof Node.Break) {
      return Flow.BREAK;
    } else if (stmt instanceof Node.Continue) {
      return Flow.CONTINUE;
    }
    return Flow.NEXT;
  }

  private void loop(Node.For f, Scope outer, StringBuilder out) {
    Scope scope = new Scope(outer);
    List<Object> items = new ArrayList<>();
    for (Object item : Values.iterate(eval(f.iterable(), outer))) {
      if (f.filter() != null) {
        assign(f.target(), item, scope);
        if (!Values.truthy(eval(f.filter(), scope))) {
          continue;
        }
      }
      items.add(item);
    }
    if (items.isEmpty()) {
      execute(f.otherwise(), scope, out);
      return;
    }
    Loop loop = new Loop(items);
    scope.set("loop", loop);
    for (int i = 0; i < items.size(); i++) {
      loop.moveTo(i);
      assign(f.target(), items.get(i), scope);
      if (execute(f.body(), scope, out) == Flow.BREAK) {
        return;
      }
    }
  }

  private void assign(Expr target, Object value, Scope scope) {
    if (target instanceof Node.Name n) {
      scope.set(n.name(), value);
    } else if (target instanceof Node.TupleExpr t) {
      List<Object> values = Values.iterate(value);
      if (values.size() != t.items().size()) {
        throw new TemplateException.Runtime(
            "cannot unpack " + values.size() + " values into " + t.items().size() + " names");
      }
      for (int i = 0; i < values.size(); i++) {
        assign(t.items().get(i), values.get(i), scope);
      }
    } else if (target instanceof Node.Attribute a) {
      if (!(eval(a.object(), scope) instanceof Namespace ns)) {
        throw new TemplateException.Runtime("cannot assign attribute on non-namespace object");
      }
      ns.attributes.put(a.name(), value);
    } else {
      throw new TemplateException.Runtime("cannot assign to this expression");
    }
  }

  Object eval(Expr expr, Scope scope) {
    if (expr instanceof Node.Literal l) {
      return l.value();
    } else if (expr instanceof Node.Name n) {
      return scope.get(n.name());
    } else if (expr instanceof Node.ListExpr l) {
      return evalAll(l.items(), scope);
    } else if (expr instanceof Node.TupleExpr t) {
      return new PyTuple(evalAll(t.items(), scope));
    } else if (expr instanceof Node.DictExpr d) {
      Map<Object, Object> map = new LinkedHashMap<>();
      for (int i = 0; i < d.keys().size(); i++) {
        Object key = eval(d.keys().get(i), scope);
        if (key instanceof List || key instanceof Map || key instanceof Undefined) {
          throw new TemplateException.Runtime("unhashable type: '" + Values.typeName(key) + "'");
        }
        map.put(key, eval(d.values().get(i), scope));
      }
      return map;
    } else if (expr instanceof Node.Attribute a) {
      return Access.attribute(eval(a.object(), scope), a.name());
    } else if (expr instanceof Node.Item i) {
      return Access.item(eval(i.object(), scope), eval(i.key(), scope));
    } else if (expr instanceof Node.Slice s) {
      return Access.slice(eval(s.object(), scope), optional(s.start(), scope), optional(s.stop(), scope), optional(s.step(), scope));
    } else if (expr instanceof Node.Call c) {
      return call(c, scope);
    } else if (expr instanceof Node.Filter f) {
      return Filters.apply(f.name(), eval(f.value(), scope), evalAll(f.args(), scope),
          keywords(f.keywordNames(), f.keywordValues(), scope));
    } else if (expr instanceof Node.Test t) {
      return Tests.apply(t.name(), eval(t.value(), scope), evalAll(t.args(), scope)) != t.negated();
    } else if (expr instanceof Node.Binary b) {
      return binary(b, scope);
    } else if (expr instanceof Node.Unary u) {
      return unary(u, scope);
    }
    Node.Conditional c = (Node.Conditional) expr;
    if (Values.truthy(eval(c.condition(), scope))) {
      return eval(c.then(), scope);
    }
    return c.otherwise() == null ? Undefined.named("else") : eval(c.otherwise(), scope);
  }

  private Object optional(@Nullable Expr expr, Scope scope) {
    return expr == null ? NoneValue.NONE : eval(expr, scope);
  }

  private List<Object> evalAll(List<Expr> exprs, Scope scope) {
    List<Object> values = new ArrayList<>(exprs.size());
    for (Expr e : exprs) {
      values.add(eval(e, scope));
    }
    return values;
  }

  private Map<String, Object> keywords(List<String> names, List<Expr> values, Scope scope) {
    Map<String, Object> kwargs = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      kwargs.put(names.get(i), eval(values.get(i), scope));
    }
    return kwargs;
  }

  private Object call(Node.Call c, Scope scope) {
    Object callee = eval(c.callee(), scope);
    List<Object> args = evalAll(c.args(), scope);
    Map<String, Object> kwargs = keywords(c.keywordNames(), c.keywordValues(), scope);
    if (callee instanceof Callable f) {
      return f.call(args, kwargs);
    } else if (callee instanceof Undefined u) {
      throw u.fail();
    }
    throw new TemplateException.Runtime("'" + Values.typeName(callee) + "' object is not callable");
  }

  private Object binary(Node.Binary b, Scope scope) {
    Object left = eval(b.left(), scope);
    switch (b.op()) {
      case "and" -> {
        return Values.truthy(left) ? eval(b.right(), scope) : left;
      }
      case "or" -> {
        return Values.truthy(left) ? left : eval(b.right(), scope);
      }
      default -> { }
    }
    Object right = eval(b.right(), scope);
    return switch (b.op()) {
      case "+" -> Values.add(left, right);
      case "-" -> Values.arithmetic('-', left, right);
      case "*" -> Values.multiply(left, right);
      case "/" -> Values.arithmetic('/', left, right);
      case "//" -> Values.arithmetic('f', left, right);
      case "%" -> Values.arithmetic('%', left, right);
      case "**" -> Values.arithmetic('p', left, right);
      case "~" -> Values.str(left) + Values.str(right);
      case "==" -> Values.eq(left, right);
      case "!=" -> !Values.eq(left, right);
      case "<" -> Values.compare(left, right) < 0;
      case "<=" -> Values.compare(left, right) <= 0;
      case ">" -> Values.compare(left, right) > 0;
      case ">=" -> Values.compare(left, right) >= 0;
      case "in" -> Values.contains(right, left);
      case "not in" -> !Values.contains(right, left);
      default -> throw new TemplateException.Runtime("unknown operator " + b.op());
    };
  }

  private Object unary(Node.Unary u, Scope scope) {
    Object value = eval(u.operand(), scope);
    return switch (u.op()) {
      case "not" -> !Values.truthy(value);
      case "-" -> Values.arithmetic('-', 0L, value);
      default -> Values.arithmetic('+', 0L, value);
    };
  }
}
