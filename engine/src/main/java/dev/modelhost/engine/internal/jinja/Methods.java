package dev.modelhost.engine.internal.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Python methods of strings, dicts and lists that templates call ({@code x.strip()}, {@code d.get(k)}). */
final class Methods {

  private Methods() {}

  /** A method looked up on a value, called later. */
  record Bound(Object receiver, String name) implements Callable {
    @Override
    public Object call(List<Object> args, Map<String, Object> kwargs) {
      Args a = new Args(name, args, kwargs);
      if (receiver instanceof String s) {
        return string(s, a);
      } else if (receiver instanceof Map<?, ?> m) {
        return dict(m, a);
      }
      return list((List<?>) receiver, a);
    }
  }

  /** Positional and keyword arguments by Python's parameter order. */
  record Args(String method, List<Object> args, Map<String, Object> kwargs) {
    Object get(int position, String name, Object absent) {
      if (position < args.size()) {
        return args.get(position);
      }
      Object value = kwargs.get(name);
      return value != null ? value : absent;
    }

    Object required(int position, String name) {
      Object value = get(position, name, Undefined.named(name));
      if (value instanceof Undefined) {
        throw new TemplateException.Runtime(method + "() missing required argument '" + name + "'");
      }
      return value;
    }

    String string(int position, String name) {
      Object value = required(position, name);
      if (!(value instanceof String s)) {
        throw new TemplateException.Runtime(method + "() argument must be str, not " + Values.typeName(value));
      }
      return s;
    }

    @org.jspecify.annotations.Nullable String optionalString(int position, String name) {
      Object value = get(position, name, NoneValue.NONE);
      return value == NoneValue.NONE ? null : string(position, name);
    }

    long integer(int position, String name, long absent) {
      Object value = get(position, name, absent);
      if (value instanceof Long l) {
        return l;
      }
      throw new TemplateException.Runtime(method + "() argument must be int, not " + Values.typeName(value));
    }
  }

  private static Object string(String s, Args a) {
    return switch (a.method()) {
      case "strip" -> Strings.strip(s, a.optionalString(0, "chars"), true, true);
      case "lstrip" -> Strings.strip(s, a.optionalString(0, "chars"), true, false);
      case "rstrip" -> Strings.strip(s, a.optionalString(0, "chars"), false, true);
      case "split" -> Strings.split(s, a.optionalString(0, "sep"), a.integer(1, "maxsplit", -1));
      case "rsplit" -> {
        String sep = a.optionalString(0, "sep");
        long max = a.integer(1, "maxsplit", -1);
        yield sep == null ? Strings.split(s, null, max) : Strings.rsplit(s, sep, max);
      }
      case "splitlines" -> Strings.splitLines(s);
      case "startswith", "endswith" -> affix(s, a);
      case "replace" -> Strings.replace(s, a.string(0, "old"), a.string(1, "new"), a.integer(2, "count", -1));
      case "upper" -> s.toUpperCase(Locale.ROOT);
      case "lower", "casefold" -> s.toLowerCase(Locale.ROOT);
      case "title" -> Strings.title(s);
      case "capitalize" -> Strings.capitalize(s);
      case "swapcase" -> swapcase(s);
      case "find", "index" -> position(s, a, s.indexOf(a.string(0, "sub")));
      case "rfind", "rindex" -> position(s, a, s.lastIndexOf(a.string(0, "sub")));
      case "count" -> count(s, a.string(0, "sub"));
      case "join" -> join(s, a.required(0, "iterable"));
      case "isdigit", "isnumeric", "isdecimal" -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
      case "isalpha" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
      case "isalnum" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
      case "isspace" -> !s.isEmpty() && s.codePoints().allMatch(Strings::isSpace);
      case "isupper" -> s.codePoints().anyMatch(Character::isUpperCase) && s.codePoints().noneMatch(Character::isLowerCase);
      case "islower" -> s.codePoints().anyMatch(Character::isLowerCase) && s.codePoints().noneMatch(Character::isUpperCase);
      case "istitle" -> !s.isEmpty() && Strings.title(s).equals(s) && s.codePoints().anyMatch(Character::isLetter);
      case "removeprefix" -> s.startsWith(a.string(0, "prefix")) ? s.substring(a.string(0, "prefix").length()) : s;
      case "removesuffix" -> {
        String suffix = a.string(0, "suffix");
        yield !suffix.isEmpty() && s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
      }
      case "zfill" -> pad(s, a.integer(0, "width", 0), "0", true);
      case "ljust" -> pad(s, a.integer(0, "width", 0), fill(a), false);
      case "rjust" -> pad(s, a.integer(0, "width", 0), fill(a), true);
      case "center" -> {
        long width = a.integer(0, "width", 0);
        long total = width - s.codePointCount(0, s.length());
        long left = total / 2 + (total & width & 1);
        yield total <= 0 ? s : fill(a).repeat((int) left) + s + fill(a).repeat((int) (total - left));
      }
      case "partition", "rpartition" -> partition(s, a.string(0, "sep"), a.method().equals("rpartition"));
      case "format" -> format(s, a);
      default -> throw new TemplateException.Runtime("str." + a.method() + "() is not supported in chat templates");
    };
  }

  private static boolean affix(String s, Args a) {
    Object arg = a.required(0, "prefix");
    List<?> options = arg instanceof PyTuple t ? t : List.of(arg);
    for (Object option : options) {
      if (!(option instanceof String text)) {
        throw new TemplateException.Runtime(a.method() + " first arg must be str or a tuple of str, not " + Values.typeName(option));
      }
      if (a.method().equals("startswith") ? s.startsWith(text) : s.endsWith(text)) {
        return true;
      }
    }
    return false;
  }

  private static Object position(String s, Args a, int at) {
    if (at < 0 && a.method().endsWith("index")) {
      throw new TemplateException.Runtime("substring not found");
    }
    return (long) (at < 0 ? -1 : s.codePointCount(0, at));
  }

  private static long count(String s, String sub) {
    if (sub.isEmpty()) {
      return s.codePointCount(0, s.length()) + 1L;
    }
    long n = 0;
    for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
      n++;
    }
    return n;
  }

  static String join(String separator, Object iterable) {
    StringBuilder out = new StringBuilder();
    List<Object> items = Values.iterate(iterable);
    for (int i = 0; i < items.size(); i++) {
      if (!(items.get(i) instanceof String item)) {
        throw new TemplateException.Runtime("sequence item " + i + ": expected str instance, " + Values.typeName(items.get(i)) + " found");
      }
      out.append(i == 0 ? "" : separator).append(item);
    }
    return out.toString();
  }

  private static String swapcase(String s) {
    StringBuilder out = new StringBuilder();
    s.codePoints().forEach(cp -> out.appendCodePoint(
        Character.isUpperCase(cp) ? Character.toLowerCase(cp) : Character.isLowerCase(cp) ? Character.toUpperCase(cp) : cp));
    return out.toString();
  }

  private static String fill(Args a) {
    return (String) a.get(1, "fillchar", " ");
  }

  private static String pad(String s, long width, String fill, boolean left) {
    long missing = width - s.codePointCount(0, s.length());
    if (missing <= 0) {
      return s;
    }
    String padding = fill.repeat((int) missing);
    if (fill.equals("0") && left && (s.startsWith("-") || s.startsWith("+"))) {
      return s.charAt(0) + padding + s.substring(1);
    }
    return left ? padding + s : s + padding;
  }

  private static PyTuple partition(String s, String sep, boolean fromRight) {
    int at = fromRight ? s.lastIndexOf(sep) : s.indexOf(sep);
    if (at < 0) {
      return new PyTuple(fromRight ? List.of("", "", s) : List.of(s, "", ""));
    }
    return new PyTuple(List.of(s.substring(0, at), sep, s.substring(at + sep.length())));
  }

  /** {@code str.format} with plain {@code {}}, {@code {0}} and {@code {name}} fields (no format specs). */
  private static String format(String s, Args a) {
    StringBuilder out = new StringBuilder();
    int auto = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c == '{' || c == '}') && i + 1 < s.length() && s.charAt(i + 1) == c) {
        out.append(c);
        i++;
      } else if (c == '{') {
        int close = s.indexOf('}', i);
        if (close < 0) {
          throw new TemplateException.Runtime("Single '{' encountered in format string");
        }
        String field = s.substring(i + 1, close);
        Object value;
        if (field.isEmpty()) {
          value = a.required(auto++, "format argument");
        } else if (field.chars().allMatch(Character::isDigit)) {
          value = a.required(Integer.parseInt(field), "format argument");
        } else {
          value = a.kwargs().containsKey(field) ? a.kwargs().get(field) : Undefined.named(field);
          if (value instanceof Undefined) {
            throw new TemplateException.Runtime("KeyError: '" + field + "'");
          }
        }
        out.append(Values.str(value));
        i = close;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static Object dict(Map<?, ?> m, Args a) {
    return switch (a.method()) {
      case "get" -> {
        Object value = m.get(a.required(0, "key"));
        yield value != null ? value : a.get(1, "default", NoneValue.NONE);
      }
      case "items" -> {
        List<Object> items = new ArrayList<>();
        m.forEach((k, v) -> items.add(new PyTuple(List.of(k, v))));
        yield items;
      }
      case "keys" -> new ArrayList<Object>(m.keySet());
      case "values" -> new ArrayList<Object>(m.values());
      default -> new LinkedHashMap<Object, Object>(m);
    };
  }

  private static Object list(List<?> l, Args a) {
    return switch (a.method()) {
      case "index" -> {
        Object item = a.required(0, "value");
        for (int i = 0; i < l.size(); i++) {
          if (Values.eq(l.get(i), item)) {
            yield (long) i;
          }
        }
        throw new TemplateException.Runtime(Values.repr(item) + " is not in list");
      }
      case "count" -> {
        Object item = a.required(0, "value");
        yield l.stream().filter(x -> Values.eq(x, item)).count();
      }
      default -> new ArrayList<Object>(l);
    };
  }
}
