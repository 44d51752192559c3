package dev.modelhost.engine.internal;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import java.util.Collection;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code tojson} filter as transformers defines it for chat templates: Python's
 * {@code json.dumps(x, ensure_ascii=False, indent=indent)}, so {@code ", "} and {@code ": "}
 * separators and no HTML escaping.
 */
final class PythonJson implements AdvancedFilter {

  @Override
  public String getName() {
    return "tojson";
  }

  @Override
  public Object filter(@Nullable Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
    Object indentArg = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
    int indent = indentArg == null ? -1 : Integer.parseInt(String.valueOf(indentArg));
    StringBuilder out = new StringBuilder();
    write(value, indent, 0, out);
    return out.toString();
  }

  private static void write(@Nullable Object value, int indent, int depth, StringBuilder out) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Boolean b) {
      out.append(b ? "true" : "false");
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      out.append(d == Math.rint(d) && Math.abs(d) < 1e16 ? String.valueOf((long) d) + ".0" : String.valueOf(d));
    } else if (value instanceof Number n) {
      out.append(n);
    } else if (value instanceof Map<?, ?> map) {
      if (map.isEmpty()) {
        out.append("{}");
        return;
      }
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        separator(first, indent, depth + 1, out);
        first = false;
        string(String.valueOf(e.getKey()), out);
        out.append(": ");
        write(e.getValue(), indent, depth + 1, out);
      }
      close(indent, depth, out);
      out.append('}');
    } else if (value instanceof Collection<?> list) {
      if (list.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append('[');
      boolean first = true;
      for (Object item : list) {
        separator(first, indent, depth + 1, out);
        first = false;
        write(item, indent, depth + 1, out);
      }
      close(indent, depth, out);
      out.append(']');
    } else {
      string(String.valueOf(value), out);
    }
  }

  private static void separator(boolean first, int indent, int depth, StringBuilder out) {
    if (!first) {
      out.append(indent < 0 ? ", " : ",");
    }
    if (indent >= 0) {
      out.append('\n').append(" ".repeat(indent * depth));
    }
  }

  private static void close(int indent, int depth, StringBuilder out) {
    if (indent >= 0) {
      out.append('\n').append(" ".repeat(indent * depth));
    }
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
