package dev.modelhost.engine.internal.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code obj.name}, {@code obj[key]} and {@code obj[a:b:c]} as Jinja2's immutable sandbox
 * resolves them: attributes are the Python methods of strings, lists and dicts (those that
 * would mutate are refused); anything else is an item, and a missing one is undefined.
 */
final class Access {

  private static final Set<String> STR_METHODS = Set.of(
      "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith", "replace", "upper",
      "lower", "title", "capitalize", "swapcase", "casefold", "find", "rfind", "index", "rindex", "count", "join",
      "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower", "isnumeric", "isdecimal", "istitle",
      "removeprefix", "removesuffix", "zfill", "center", "ljust", "rjust", "partition", "rpartition", "format",
      "expandtabs", "encode");
  private static final Set<String> DICT_METHODS = Set.of("get", "items", "keys", "values", "copy");
  private static final Set<String> DICT_MUTATORS = Set.of("pop", "popitem", "setdefault", "update", "clear");
  private static final Set<String> LIST_METHODS = Set.of("index", "count", "copy");
  private static final Set<String> LIST_MUTATORS = Set.of("append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear");

  private Access() {}

  static Object attribute(Object owner, String name) {
    if (owner instanceof Undefined u) {
      throw u.fail();
    } else if (owner instanceof Namespace ns) {
      Object value = ns.attributes.get(name);
      return value != null ? value : Undefined.attribute(owner, name);
    } else if (owner instanceof Loop loop) {
      return loop.attribute(name);
    } else if (owner instanceof String && STR_METHODS.contains(name)) {
      return new Methods.Bound(owner, name);
    } else if (owner instanceof Map<?, ?> map) {
      if (DICT_METHODS.contains(name)) {
        return new Methods.Bound(owner, name);
      } else if (DICT_MUTATORS.contains(name)) {
        return Undefined.unsafe(owner, name);
      }
      Object value = map.get(name);
      return value != null ? value : Undefined.attribute(owner, name);
    } else if (owner instanceof List) {
      if (LIST_METHODS.contains(name) && !(owner instanceof PyTuple && name.equals("copy"))) {
        return new Methods.Bound(owner, name);
      } else if (LIST_MUTATORS.contains(name) && !(owner instanceof PyTuple)) {
        return Undefined.unsafe(owner, name);
      }
    }
    return Undefined.attribute(owner, name);
  }

  static Object item(Object owner, Object key) {
    if (owner instanceof Undefined u) {
      throw u.fail();
    }
    if (owner instanceof Map<?, ?> map) {
      Object value = map.get(key);
      if (value != null) {
        return value;
      }
    } else if (owner instanceof List<?> list && Values.isNumber(key) && !(key instanceof Double)) {
      long index = key instanceof Boolean b ? (b ? 1 : 0) : (Long) key;
      long at = index < 0 ? index + list.size() : index;
      if (at >= 0 && at < list.size()) {
        return list.get((int) at);
      }
    } else if (owner instanceof String s && key instanceof Long index) {
      List<String> chars = Strings.chars(s);
      long at = index < 0 ? index + chars.size() : index;
      if (at >= 0 && at < chars.size()) {
        return chars.get((int) at);
      }
    }
    if (key instanceof String name) {
      if (owner instanceof Map || owner instanceof Namespace || owner instanceof Loop || owner instanceof String || owner instanceof List) {
        return attribute(owner, name);
      }
    }
    return new Undefined("'" + Values.typeName(owner) + " object' has no attribute or item " + Values.repr(key), false);
  }

  static Object slice(Object owner, Object start, Object stop, Object step) {
    if (owner instanceof Undefined u) {
      throw u.fail();
    }
    List<?> items;
    if (owner instanceof String s) {
      items = Strings.chars(s);
    } else if (owner instanceof List<?> l) {
      items = l;
    } else {
      return new Undefined("'" + Values.typeName(owner) + "' object is not subscriptable", false);
    }
    int n = items.size();
    long by = index(step, 1);
    if (by == 0) {
      throw new TemplateException.Runtime("slice step cannot be zero");
    }
    long from = by > 0 ? bound(index(start, 0), n, 0, n) : bound(index(start, n - 1), n, -1, n - 1);
    long to = by > 0 ? bound(index(stop, n), n, 0, n) : bound(index(stop, -n - 1), n, -1, n - 1);
    List<Object> out = new ArrayList<>();
    for (long i = from; by > 0 ? i < to : i > to; i += by) {
      out.add(items.get((int) i));
    }
    if (owner instanceof String) {
      StringBuilder text = new StringBuilder();
      out.forEach(c -> text.append((String) c));
      return text.toString();
    }
    return owner instanceof PyTuple ? new PyTuple(out) : out;
  }

  private static long index(Object value, long absent) {
    if (value == NoneValue.NONE) {
      return absent;
    } else if (value instanceof Long l) {
      return l;
    } else if (value instanceof Boolean b) {
      return b ? 1 : 0;
    }
    throw new TemplateException.Runtime("slice indices must be integers or None");
  }

  /** Python's slice bound adjustment: negative counts from the end, then clamp. */
  private static long bound(long index, int n, long low, long high) {
    long i = index < 0 ? index + n : index;
    return Math.max(low, Math.min(high, i));
  }
}
