package dev.modelhost.engine.internal.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code tojson} filter as transformers defines it for chat templates: Python's
 * {@code json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)},
 * each settable by the template, so {@code ", "} and {@code ": "} separators and no HTML escaping.
 */
final class PythonJson {

  private final boolean ensureAscii;
  private final @org.jspecify.annotations.Nullable String indent;
  private final String itemSeparator;
  private final String keySeparator;
  private final boolean sortKeys;

  PythonJson(boolean ensureAscii, Object indent, Object separators, boolean sortKeys) {
    this.ensureAscii = ensureAscii;
    if (indent == NoneValue.NONE) {
      this.indent = null;
    } else if (indent instanceof Long n) {
      this.indent = " ".repeat((int) Math.max(0, n));
    } else if (indent instanceof String s) {
      this.indent = s;
    } else {
      throw new TemplateException.Runtime("tojson indent must be an int or a string");
    }
    if (separators instanceof List<?> pair && pair.size() == 2 && pair.get(0) instanceof String item && pair.get(1) instanceof String key) {
      this.itemSeparator = item;
      this.keySeparator = key;
    } else if (separators == NoneValue.NONE) {
      this.itemSeparator = this.indent == null ? ", " : ",";
      this.keySeparator = ": ";
    } else {
      throw new TemplateException.Runtime("tojson separators must be a pair of strings");
    }
    this.sortKeys = sortKeys;
  }

  String dumps(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, 0, out);
    return out.toString();
  }

  private void write(Object value, int depth, StringBuilder out) {
    if (value == NoneValue.NONE) {
      out.append("null");
    } else if (value instanceof Boolean b) {
      out.append(b ? "true" : "false");
    } else if (value instanceof Long l) {
      out.append(l);
    } else if (value instanceof Double d) {
      out.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : Values.formatFloat(d));
    } else if (value instanceof String s) {
      string(s, out);
    } else if (value instanceof Map<?, ?> map) {
      if (map.isEmpty()) {
        out.append("{}");
        return;
      }
      List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
      if (sortKeys) {
        entries.sort((a, b) -> Values.compare(a.getKey(), b.getKey()));
      }
      out.append('{');
      for (int i = 0; i < entries.size(); i++) {
        separate(i, depth + 1, out);
        string(key(entries.get(i).getKey()), out);
        out.append(keySeparator);
        write(entries.get(i).getValue(), depth + 1, out);
      }
      close(depth, out);
      out.append('}');
    } else if (value instanceof List<?> list) {
      if (list.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        separate(i, depth + 1, out);
        write(list.get(i), depth + 1, out);
      }
      close(depth, out);
      out.append(']');
    } else {
      throw new TemplateException.Runtime("Object of type " + Values.typeName(value) + " is not JSON serializable");
    }
  }

  private static String key(Object key) {
    if (key instanceof String s) {
      return s;
    } else if (key instanceof Boolean b) {
      return b ? "true" : "false";
    } else if (key == NoneValue.NONE) {
      return "null";
    } else if (key instanceof Long || key instanceof Double) {
      return Values.repr(key);
    }
    throw new TemplateException.Runtime("keys must be str, int, float, bool or None, not " + Values.typeName(key));
  }

  private void separate(int index, int depth, StringBuilder out) {
    if (index > 0) {
      out.append(itemSeparator);
    }
    if (indent != null) {
      out.append('\n').append(indent.repeat(depth));
    }
  }

  private void close(int depth, StringBuilder out) {
    if (indent != null) {
      out.append('\n').append(indent.repeat(depth));
    }
  }

  private void string(String s, StringBuilder out) {
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
          if (c < 0x20 || (ensureAscii && c > 0x7f)) {
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
