package dev.modelhost.engine.internal.jinja;

import java.util.List;
import java.util.Map;

/** Jinja2's tests ({@code x is defined}, {@code x is string}, {@code x is equalto y}, ...). */
final class Tests {

  private Tests() {}

  static boolean apply(String name, Object value, List<Object> args) {
    return switch (name) {
      case "defined" -> !(value instanceof Undefined);
      case "undefined" -> value instanceof Undefined;
      case "none" -> value == NoneValue.NONE;
      case "boolean" -> value instanceof Boolean;
      case "true" -> Boolean.TRUE.equals(value);
      case "false" -> Boolean.FALSE.equals(value);
      case "integer" -> value instanceof Long;
      case "float" -> value instanceof Double;
      case "number" -> Values.isNumber(value);
      case "string" -> value instanceof String;
      case "mapping" -> value instanceof Map;
      case "sequence" -> value instanceof String || value instanceof List || value instanceof Map || value instanceof Undefined;
      case "iterable" -> value instanceof String || value instanceof List || value instanceof Map || value instanceof Undefined;
      case "callable" -> value instanceof Callable;
      case "lower", "upper" -> Values.truthy(new Methods.Bound(Values.str(value), "is" + name).call(List.of(), Map.of()));
      case "odd" -> (Long) Values.arithmetic('%', value, 2L) == 1;
      case "even" -> (Long) Values.arithmetic('%', value, 2L) == 0;
      case "divisibleby" -> Values.eq(Values.arithmetic('%', value, arg(name, args)), 0L);
      case "eq", "equalto", "==" -> Values.eq(value, arg(name, args));
      case "ne", "!=" -> !Values.eq(value, arg(name, args));
      case "lt", "lessthan", "<" -> Values.compare(value, arg(name, args)) < 0;
      case "le", "<=" -> Values.compare(value, arg(name, args)) <= 0;
      case "gt", "greaterthan", ">" -> Values.compare(value, arg(name, args)) > 0;
      case "ge", ">=" -> Values.compare(value, arg(name, args)) >= 0;
      case "in" -> Values.contains(arg(name, args), value);
      case "sameas" -> value == arg(name, args);
      case "escaped" -> false;
      default -> throw new TemplateException.Runtime("No test named '" + name + "'.");
    };
  }

  private static Object arg(String test, List<Object> args) {
    if (args.isEmpty()) {
      throw new TemplateException.Runtime("test '" + test + "' needs an argument");
    }
    return args.get(0);
  }
}
