package dev.modelhost.engine.internal.jinja;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Python's semantics for template values: truth, str and repr, equality, order, arithmetic. */
final class Values {

  private Values() {}

  static String typeName(Object value) {
    if (value instanceof String) {
      return "str";
    } else if (value instanceof Boolean) {
      return "bool";
    } else if (value instanceof Long) {
      return "int";
    } else if (value instanceof Double) {
      return "float";
    } else if (value == NoneValue.NONE) {
      return "NoneType";
    } else if (value instanceof PyTuple) {
      return "tuple";
    } else if (value instanceof List) {
      return "list";
    } else if (value instanceof Map) {
      return "dict";
    } else if (value instanceof Undefined) {
      return "Undefined";
    } else if (value instanceof Namespace) {
      return "Namespace";
    }
    return "function";
  }

  static boolean truthy(Object value) {
    if (value instanceof Boolean b) {
      return b;
    } else if (value instanceof String s) {
      return !s.isEmpty();
    } else if (value instanceof Long l) {
      return l != 0;
    } else if (value instanceof Double d) {
      return d != 0.0;
    } else if (value instanceof List<?> l) {
      return !l.isEmpty();
    } else if (value instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    return !(value == NoneValue.NONE || value instanceof Undefined);
  }

  /** Python's {@code str(value)}; an undefined value prints as nothing. */
  static String str(Object value) {
    if (value instanceof String s) {
      return s;
    } else if (value instanceof Undefined) {
      return "";
    }
    return repr(value);
  }

  static String repr(Object value) {
    if (value instanceof String s) {
      return reprString(s);
    } else if (value instanceof Boolean b) {
      return b ? "True" : "False";
    } else if (value instanceof Long l) {
      return l.toString();
    } else if (value instanceof Double d) {
      return formatFloat(d);
    } else if (value == NoneValue.NONE) {
      return "None";
    } else if (value instanceof PyTuple t) {
      return t.size() == 1 ? "(" + repr(t.get(0)) + ",)" : join(t, "(", ")");
    } else if (value instanceof List<?> l) {
      return join(l, "[", "]");
    } else if (value instanceof Map<?, ?> m) {
      StringBuilder out = new StringBuilder("{");
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (out.length() > 1) {
          out.append(", ");
        }
        out.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
      }
      return out.append('}').toString();
    } else if (value instanceof Undefined) {
      return "Undefined";
    } else if (value instanceof Namespace n) {
      return "<Namespace " + repr(n.attributes) + ">";
    }
    return "<function>";
  }

  private static String join(List<?> items, String open, String close) {
    StringBuilder out = new StringBuilder(open);
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        out.append(", ");
      }
      out.append(repr(items.get(i)));
    }
    return out.append(close).toString();
  }

  /** Python's repr of a string: single quotes unless only double quotes avoid escaping. */
  static String reprString(String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder out = new StringBuilder().append(quote);
    s.codePoints().forEach(cp -> {
      if (cp == quote || cp == '\\') {
        out.append('\\').appendCodePoint(cp);
      } else if (cp == '\n') {
        out.append("\\n");
      } else if (cp == '\r') {
        out.append("\\r");
      } else if (cp == '\t') {
        out.append("\\t");
      } else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
        out.append(String.format("\\x%02x", cp));
      } else {
        out.appendCodePoint(cp);
      }
    });
    return out.append(quote).toString();
  }

  /** Python's repr of a float: shortest digits, exponent form outside [1e-4, 1e16). */
  static String formatFloat(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    } else if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    } else if (d == Math.rint(d) && Math.abs(d) < 1e16) {
      return (d == 0 && 1 / d < 0 ? "-" : "") + new BigDecimal(d).toPlainString() + ".0";
    }
    double abs = Math.abs(d);
    if (abs >= 1e-4 && abs < 1e16) {
      return new BigDecimal(Double.toString(d)).toPlainString();
    }
    BigDecimal big = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    String digits = big.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - big.scale();
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
  }

  static boolean isNumber(Object value) {
    return value instanceof Long || value instanceof Double || value instanceof Boolean;
  }

  private static Object asNumber(Object value) {
    return value instanceof Boolean b ? (Long) (b ? 1L : 0L) : value;
  }

  static boolean eq(Object a, Object b) {
    if (isNumber(a) && isNumber(b)) {
      Object x = asNumber(a);
      Object y = asNumber(b);
      if (x instanceof Long l && y instanceof Long m) {
        return l.longValue() == m.longValue();
      }
      return ((Number) x).doubleValue() == ((Number) y).doubleValue();
    }
    if (a instanceof List<?> l && b instanceof List<?> m) {
      if (l.size() != m.size() || (a instanceof PyTuple) != (b instanceof PyTuple)) {
        return false;
      }
      for (int i = 0; i < l.size(); i++) {
        if (!eq(l.get(i), m.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Map<?, ?> l && b instanceof Map<?, ?> m) {
      if (l.size() != m.size()) {
        return false;
      }
      for (Map.Entry<?, ?> e : l.entrySet()) {
        Object other = m.get(e.getKey());
        if (other == null || !eq(e.getValue(), other)) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Undefined || b instanceof Undefined) {
      return a instanceof Undefined && b instanceof Undefined;
    }
    return a.equals(b);
  }

  /** Python's ordering of two values; raises where Python raises {@code TypeError}. */
  static int compare(Object a, Object b) {
    undefinedGuard(a);
    undefinedGuard(b);
    if (isNumber(a) && isNumber(b)) {
      Object x = asNumber(a);
      Object y = asNumber(b);
      if (x instanceof Long l && y instanceof Long m) {
        return Long.compare(l, m);
      }
      return Double.compare(((Number) x).doubleValue(), ((Number) y).doubleValue());
    }
    if (a instanceof String s && b instanceof String t) {
      return compareCodePoints(s, t);
    }
    if (a instanceof List<?> l && b instanceof List<?> m && (a instanceof PyTuple) == (b instanceof PyTuple)) {
      for (int i = 0; i < Math.min(l.size(), m.size()); i++) {
        if (!eq(l.get(i), m.get(i))) {
          return compare(l.get(i), m.get(i));
        }
      }
      return Integer.compare(l.size(), m.size());
    }
    throw new TemplateException.Runtime("'<' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
  }

  private static int compareCodePoints(String s, String t) {
    Iterator<Integer> i = s.codePoints().iterator();
    Iterator<Integer> j = t.codePoints().iterator();
    while (i.hasNext() && j.hasNext()) {
      int c = Integer.compare(i.next(), j.next());
      if (c != 0) {
        return c;
      }
    }
    return Boolean.compare(i.hasNext(), j.hasNext());
  }

  static void undefinedGuard(Object value) {
    if (value instanceof Undefined u) {
      throw u.fail();
    }
  }

  static Object add(Object a, Object b) {
    undefinedGuard(a);
    undefinedGuard(b);
    if (a instanceof String s && b instanceof String t) {
      return s + t;
    } else if (isNumber(a) && isNumber(b)) {
      return arithmetic('+', a, b);
    } else if (a instanceof PyTuple s && b instanceof PyTuple t) {
      List<Object> out = new ArrayList<>(s);
      out.addAll(t);
      return new PyTuple(out);
    } else if (a instanceof List<?> s && b instanceof List<?> t && !(a instanceof PyTuple) && !(b instanceof PyTuple)) {
      List<Object> out = new ArrayList<>(s);
      out.addAll(t);
      return out;
    }
    throw unsupported("+", a, b);
  }

  static Object multiply(Object a, Object b) {
    undefinedGuard(a);
    undefinedGuard(b);
    if (isNumber(a) && isNumber(b)) {
      return arithmetic('*', a, b);
    }
    if (isNumber(a) && !(asNumber(a) instanceof Double)) {
      Object t = a;
      a = b;
      b = t;
    }
    if (asNumber(b) instanceof Long n) {
      if (a instanceof String s) {
        return n <= 0 ? "" : s.repeat(Math.toIntExact(n));
      } else if (a instanceof List<?> l) {
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < n; i++) {
          out.addAll(l);
        }
        return a instanceof PyTuple ? new PyTuple(out) : out;
      }
    }
    throw unsupported("*", a, b);
  }

  /** {@code + - * / // % **} on numbers, with Python's int/float rules. */
  static Object arithmetic(char op, Object a, Object b) {
    undefinedGuard(a);
    undefinedGuard(b);
    if (!isNumber(a) || !isNumber(b)) {
      throw unsupported(op == 'f' ? "//" : op == 'p' ? "**" : String.valueOf(op), a, b);
    }
    Object x = asNumber(a);
    Object y = asNumber(b);
    if (x instanceof Long l && y instanceof Long m && op != '/') {
      return switch (op) {
        case '+' -> l + m;
        case '-' -> l - m;
        case '*' -> l * m;
        case 'f' -> Math.floorDiv(l, nonZero(m));
        case '%' -> Math.floorMod(l, nonZero(m));
        default -> m >= 0 ? (Object) (long) Math.pow(l, m) : (Object) Math.pow(l, m);
      };
    }
    double p = ((Number) x).doubleValue();
    double q = ((Number) y).doubleValue();
    return switch (op) {
      case '+' -> p + q;
      case '-' -> p - q;
      case '*' -> p * q;
      case '/' -> p / nonZero(q);
      case 'f' -> Math.floor(p / nonZero(q));
      case '%' -> p - Math.floor(p / nonZero(q)) * q;
      default -> Math.pow(p, q);
    };
  }

  private static long nonZero(long n) {
    if (n == 0) {
      throw new TemplateException.Runtime("integer division or modulo by zero");
    }
    return n;
  }

  private static double nonZero(double n) {
    if (n == 0) {
      throw new TemplateException.Runtime("float division by zero");
    }
    return n;
  }

  static TemplateException.Runtime unsupported(String op, Object a, Object b) {
    return new TemplateException.Runtime(
        "unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '" + typeName(b) + "'");
  }

  /** Python's {@code item in container}. */
  static boolean contains(Object container, Object item) {
    if (container instanceof String s) {
      if (item instanceof Undefined u) {
        throw u.fail();
      }
      if (!(item instanceof String t)) {
        throw new TemplateException.Runtime("'in <string>' requires string as left operand, not " + typeName(item));
      }
      return s.contains(t);
    } else if (container instanceof Map<?, ?> m) {
      return m.containsKey(item);
    } else if (container instanceof List<?> l) {
      for (Object element : l) {
        if (eq(element, item)) {
          return true;
        }
      }
      return false;
    } else if (container instanceof Undefined) {
      return false;
    }
    throw new TemplateException.Runtime("argument of type '" + typeName(container) + "' is not iterable");
  }

  /** The items a {@code for} loop visits: characters, elements or keys. */
  static List<Object> iterate(Object value) {
    if (value instanceof List<?> l) {
      return new ArrayList<>(l);
    } else if (value instanceof Map<?, ?> m) {
      return new ArrayList<>(m.keySet());
    } else if (value instanceof String s) {
      return new ArrayList<>(Strings.chars(s));
    } else if (value instanceof Undefined) {
      return new ArrayList<>();
    }
    throw new TemplateException.Runtime("'" + typeName(value) + "' object is not iterable");
  }

  static long length(Object value) {
    if (value instanceof String s) {
      return s.codePointCount(0, s.length());
    } else if (value instanceof List<?> l) {
      return l.size();
    } else if (value instanceof Map<?, ?> m) {
      return m.size();
    } else if (value instanceof Undefined) {
      return 0;
    }
    throw new TemplateException.Runtime("object of type '" + typeName(value) + "' has no len()");
  }
}
