package dev.modelhost.engine.internal.jinja;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Jinja2's built-in filters that chat templates use, and transformers' {@code tojson}. */
final class Filters {

  private Filters() {}

  static Object apply(String name, Object value, List<Object> args, Map<String, Object> kwargs) {
    Methods.Args a = new Methods.Args(name, args, kwargs);
    return switch (name) {
      case "tojson" -> new PythonJson(
              Values.truthy(a.get(0, "ensure_ascii", false)), a.get(1, "indent", NoneValue.NONE),
              a.get(2, "separators", NoneValue.NONE), Values.truthy(a.get(3, "sort_keys", false)))
          .dumps(value);
      case "default", "d" -> value instanceof Undefined || (Values.truthy(a.get(1, "boolean", false)) && !Values.truthy(value))
          ? a.get(0, "default_value", "") : value;
      case "length", "count" -> Values.length(value);
      case "string" -> Values.str(value);
      case "trim" -> Strings.strip(Values.str(value), chars(a.get(0, "chars", NoneValue.NONE)), true, true);
      case "upper" -> Values.str(value).toUpperCase(Locale.ROOT);
      case "lower" -> Values.str(value).toLowerCase(Locale.ROOT);
      case "capitalize" -> Strings.capitalize(Values.str(value));
      case "title" -> title(Values.str(value));
      case "replace" -> Strings.replace(Values.str(value), Values.str(a.required(0, "old")), Values.str(a.required(1, "new")),
          a.get(2, "count", NoneValue.NONE) instanceof Long n ? n : -1);
      case "safe" -> value;
      case "escape", "e" -> escape(Values.str(value));
      case "first" -> {
        List<Object> items = Values.iterate(value);
        yield items.isEmpty() ? new Undefined("No first item, sequence was empty.", false) : items.get(0);
      }
      case "last" -> {
        List<Object> items = Values.iterate(value);
        yield items.isEmpty() ? new Undefined("No last item, sequence was empty.", false) : items.get(items.size() - 1);
      }
      case "list" -> Values.iterate(value);
      case "reverse" -> {
        if (value instanceof String s) {
          yield new StringBuilder(s).reverse().toString();
        }
        List<Object> items = Values.iterate(value);
        java.util.Collections.reverse(items);
        yield items;
      }
      case "join" -> join(value, Values.str(a.get(0, "d", "")), a.get(1, "attribute", NoneValue.NONE));
      case "items" -> items(value);
      case "dictsort" -> dictsort(value, a);
      case "map" -> map(value, a);
      case "select", "reject" -> select(value, NoneValue.NONE, args, name.equals("select"));
      case "selectattr", "rejectattr" -> select(value, a.required(0, "attribute"), args.subList(1, args.size()), name.equals("selectattr"));
      case "unique" -> unique(value);
      case "sort" -> sort(Values.iterate(value), Values.truthy(a.get(0, "reverse", false)), a.get(2, "attribute", NoneValue.NONE));
      case "min", "max" -> {
        List<Object> items = sort(Values.iterate(value), name.equals("max"), a.get(1, "attribute", NoneValue.NONE));
        yield items.isEmpty() ? new Undefined("No aggregated item, sequence was empty.", false) : items.get(0);
      }
      case "sum" -> {
        Object total = a.get(1, "start", 0L);
        for (Object item : Values.iterate(value)) {
          total = Values.add(total, attribute(item, a.get(0, "attribute", NoneValue.NONE)));
        }
        yield total;
      }
      case "int" -> toInt(value, a.get(0, "default", 0L));
      case "float" -> toFloat(value, a.get(0, "default", 0.0));
      case "abs" -> value instanceof Long l ? (Object) Math.abs(l) : (Object) Math.abs((Double) Values.arithmetic('+', value, 0.0));
      case "round" -> round(value, a);
      case "attr" -> Access.attribute(value, Values.str(a.required(0, "name")));
      case "indent" -> indent(Values.str(value), a);
      case "center" -> new Methods.Bound(Values.str(value), "center").call(List.of(a.get(0, "width", 80L)), Map.of());
      case "wordcount" -> (long) Strings.split(Values.str(value), null, -1).size();
      default -> throw new TemplateException.Runtime("No filter named '" + name + "'.");
    };
  }

  private static @org.jspecify.annotations.Nullable String chars(Object value) {
    return value == NoneValue.NONE ? null : Values.str(value);
  }

  /** Jinja2's {@code title} filter: upper case after a space, dash or opening bracket. */
  private static String title(String s) {
    StringBuilder out = new StringBuilder();
    boolean start = true;
    for (int cp : s.codePoints().toArray()) {
      boolean boundary = Strings.isSpace(cp) || "-({[<".indexOf(cp) >= 0;
      out.appendCodePoint(boundary ? cp : start ? Character.toUpperCase(cp) : Character.toLowerCase(cp));
      start = boundary;
    }
    return out.toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;").replace("'", "&#39;");
  }

  private static String join(Object value, String separator, Object attribute) {
    StringBuilder out = new StringBuilder();
    List<Object> items = Values.iterate(value);
    for (int i = 0; i < items.size(); i++) {
      out.append(i == 0 ? "" : separator).append(Values.str(attribute(items.get(i), attribute)));
    }
    return out.toString();
  }

  /** The item's attribute by a dotted path ({@code "function.name"}), or the item when none is given. */
  static Object attribute(Object item, Object path) {
    if (path == NoneValue.NONE) {
      return item;
    }
    Object value = item;
    for (String part : Values.str(path).split("\\.")) {
      value = Access.item(value, part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? (Object) Long.parseLong(part) : part);
    }
    return value;
  }

  private static List<Object> items(Object value) {
    if (value instanceof Undefined) {
      return new ArrayList<>();
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new TemplateException.Runtime("Can only get item pairs from a mapping.");
    }
    List<Object> out = new ArrayList<>();
    map.forEach((k, v) -> out.add(new PyTuple(List.of(k, v))));
    return out;
  }

  private static List<Object> dictsort(Object value, Methods.Args a) {
    if (!(value instanceof Map<?, ?> map)) {
      throw new TemplateException.Runtime("dictsort needs a mapping, not " + Values.typeName(value));
    }
    boolean caseSensitive = Values.truthy(a.get(0, "case_sensitive", false));
    Object by = a.get(1, "by", "key");
    int position = "key".equals(by) ? 0 : "value".equals(by) ? 1 : -1;
    if (position < 0) {
      throw new TemplateException.Runtime("You can only sort by either \"key\" or \"value\"");
    }
    List<Object> pairs = items(map);
    pairs.sort((x, y) -> Values.compare(
        sortKey(((PyTuple) x).get(position), caseSensitive), sortKey(((PyTuple) y).get(position), caseSensitive)));
    if (Values.truthy(a.get(2, "reverse", false))) {
      java.util.Collections.reverse(pairs);
    }
    return pairs;
  }

  private static Object sortKey(Object value, boolean caseSensitive) {
    return !caseSensitive && value instanceof String s ? s.toLowerCase(Locale.ROOT) : value;
  }

  private static List<Object> sort(List<Object> items, boolean reverse, Object attribute) {
    List<Object> sorted = new ArrayList<>(items);
    sorted.sort((x, y) -> Values.compare(sortKey(attribute(x, attribute), false), sortKey(attribute(y, attribute), false)));
    if (reverse) {
      java.util.Collections.reverse(sorted);
    }
    return sorted;
  }

  private static List<Object> map(Object value, Methods.Args a) {
    List<Object> out = new ArrayList<>();
    boolean byAttribute = a.args().isEmpty() && a.kwargs().containsKey("attribute");
    for (Object item : Values.iterate(value)) {
      if (byAttribute) {
        Object mapped = attribute(item, a.kwargs().get("attribute"));
        out.add(mapped instanceof Undefined && a.kwargs().containsKey("default") ? a.kwargs().get("default") : mapped);
      } else {
        String filter = Values.str(a.required(0, "filter"));
        out.add(apply(filter, item, a.args().subList(1, a.args().size()), a.kwargs()));
      }
    }
    return out;
  }

  private static List<Object> select(Object value, Object attribute, List<Object> testArgs, boolean keep) {
    List<Object> out = new ArrayList<>();
    for (Object item : Values.iterate(value)) {
      Object tested = attribute(item, attribute);
      boolean passes = testArgs.isEmpty()
          ? Values.truthy(tested)
          : Tests.apply(Values.str(testArgs.get(0)), tested, testArgs.subList(1, testArgs.size()));
      if (passes == keep) {
        out.add(item);
      }
    }
    return out;
  }

  private static List<Object> unique(Object value) {
    List<Object> out = new ArrayList<>();
    Map<Object, Boolean> seen = new LinkedHashMap<>();
    for (Object item : Values.iterate(value)) {
      if (seen.put(sortKey(item, false), true) == null) {
        out.add(item);
      }
    }
    return out;
  }

  private static Object toInt(Object value, Object fallback) {
    if (value instanceof Long || value instanceof Boolean) {
      return value instanceof Boolean b ? (Object) (b ? 1L : 0L) : value;
    } else if (value instanceof Double d) {
      return (long) (double) d;
    } else if (value instanceof String s) {
      String t = Strings.strip(s, null, true, true).replace("_", "");
      try {
        return Long.parseLong(t);
      } catch (NumberFormatException e) {
        try {
          return (long) Double.parseDouble(t);
        } catch (NumberFormatException f) {
          return fallback;
        }
      }
    }
    return fallback;
  }

  private static Object toFloat(Object value, Object fallback) {
    if (Values.isNumber(value)) {
      return ((Number) (value instanceof Boolean b ? (b ? 1L : 0L) : value)).doubleValue();
    } else if (value instanceof String s) {
      try {
        return Double.parseDouble(Strings.strip(s, null, true, true));
      } catch (NumberFormatException e) {
        return fallback;
      }
    }
    return fallback;
  }

  private static Object round(Object value, Methods.Args a) {
    double d = ((Number) toFloat(value, 0.0)).doubleValue();
    int precision = (int) a.integer(0, "precision", 0);
    String method = Values.str(a.get(1, "method", "common"));
    RoundingMode mode = switch (method) {
      case "common" -> RoundingMode.HALF_EVEN;
      case "ceil" -> RoundingMode.CEILING;
      case "floor" -> RoundingMode.FLOOR;
      default -> throw new TemplateException.Runtime("method must be common, ceil or floor");
    };
    return new BigDecimal(d).setScale(precision, mode).doubleValue();
  }

  private static String indent(String s, Methods.Args a) {
    Object width = a.get(0, "width", 4L);
    String indention = width instanceof String w ? w : " ".repeat((int) (long) (Long) width);
    List<Object> lines = Strings.splitLines(s + "\n");
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < lines.size(); i++) {
      String line = (String) lines.get(i);
      if (i > 0) {
        out.append('\n');
        if (Values.truthy(a.get(2, "blank", false)) || !line.isEmpty()) {
          out.append(indention);
        }
      }
      out.append(line);
    }
    return Values.truthy(a.get(1, "first", false)) ? indention + out : out.toString();
  }
}
