package dev.modelhost.engine.internal.jinja;

import dev.modelhost.engine.internal.jinja.Node.Stmt;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A parsed chat template. Rendering gives the template the caller's variables plus the globals
 * transformers defines ({@code raise_exception}, {@code strftime_now}) and Jinja2's
 * ({@code namespace}, {@code range}, {@code dict}).
 */
public final class Template {

  private final List<Stmt> body;

  private Template(List<Stmt> body) {
    this.body = body;
  }

  /**
   * Parses a template as Jinja2 compiles it.
   *
   * @throws TemplateException.Syntax with the line and column of the first error
   */
  public static Template parse(String source) {
    return new Template(Parser.parse(Lexer.normalize(source)));
  }

  /**
   * Renders with {@code variables} (plain Java values: maps, lists, strings, numbers, booleans,
   * null), reading the time for {@code strftime_now} from {@code clock}.
   *
   * @throws TemplateException.Raised when the template calls {@code raise_exception}
   * @throws TemplateException.Runtime when an operation fails as it would in Jinja2
   */
  public String render(Map<String, ?> variables, Clock clock) {
    Map<String, Object> globals = new HashMap<>();
    globals.put("raise_exception", (Callable) (args, kwargs) -> {
      throw new TemplateException.Raised(args.isEmpty() ? "" : Values.str(args.get(0)));
    });
    globals.put("strftime_now", (Callable) (args, kwargs) ->
        Strftime.format(LocalDateTime.now(clock), args.isEmpty() ? "" : Values.str(args.get(0))));
    globals.put("namespace", (Callable) (args, kwargs) -> {
      Namespace ns = new Namespace();
      for (Object arg : args) {
        if (arg instanceof Map<?, ?> m) {
          m.forEach((k, v) -> ns.attributes.put(Values.str(k), v));
        }
      }
      ns.attributes.putAll(kwargs);
      return ns;
    });
    globals.put("range", (Callable) (args, kwargs) -> range(args));
    globals.put("dict", (Callable) (args, kwargs) -> new LinkedHashMap<Object, Object>(kwargs));
    variables.forEach((name, value) -> globals.put(name, toValue(value)));
    return new Interpreter().render(body, globals);
  }

  private static List<Object> range(List<Object> args) {
    long start = 0;
    long stop;
    long step = 1;
    for (Object arg : args) {
      if (!(arg instanceof Long)) {
        throw new TemplateException.Runtime("range() arguments must be integers");
      }
    }
    if (args.size() == 1) {
      stop = (Long) args.get(0);
    } else if (args.size() == 2 || args.size() == 3) {
      start = (Long) args.get(0);
      stop = (Long) args.get(1);
      step = args.size() == 3 ? (Long) args.get(2) : 1;
    } else {
      throw new TemplateException.Runtime("range expected 1 to 3 arguments, got " + args.size());
    }
    if (step == 0) {
      throw new TemplateException.Runtime("range() arg 3 must not be zero");
    }
    List<Object> out = new ArrayList<>();
    for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
      if (out.size() >= 100_000) {
        throw new TemplateException.Runtime("range too big, maximum size for range is 100000");
      }
      out.add(i);
    }
    return out;
  }

  /** A plain Java value as a template value: null is None, integers are longs, maps keep their order. */
  static Object toValue(@Nullable Object value) {
    if (value == null) {
      return NoneValue.NONE;
    } else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    } else if (value instanceof Float f) {
      return f.doubleValue();
    } else if (value instanceof java.math.BigInteger big) {
      return big.bitLength() < 64 ? (Object) big.longValue() : (Object) big.doubleValue();
    } else if (value instanceof java.math.BigDecimal decimal) {
      return decimal.doubleValue();
    } else if (value instanceof Map<?, ?> map) {
      Map<Object, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(toValue(k), toValue(v)));
      return out;
    } else if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      list.forEach(item -> out.add(toValue(item)));
      return out;
    } else if (value instanceof String || value instanceof Long || value instanceof Double || value instanceof Boolean) {
      return value;
    }
    throw new IllegalArgumentException("Templates see only plain values, not " + value.getClass().getName());
  }

  static TemplateException.Syntax syntaxError(String message, String source, int offset) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < Math.min(offset, source.length()); i++) {
      if (source.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return new TemplateException.Syntax(message, line, offset - lineStart + 1);
  }
}
