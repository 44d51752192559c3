package dev.modelhost.engine.internal;

import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Python string (and dict) methods that chat templates call, for Jinjava, which has no Python
 * objects: {@code x.strip()} is rewritten to the filter {@code x|py_strip()}. A filter binds to the
 * same operand a method call does, so the meaning is unchanged.
 */
final class PythonMethods {

  private static final Map<String, BiFunction<Object, Object[], Object>> METHODS = Map.ofEntries(
      Map.entry("strip", (v, a) -> strip(str(v), a, true, true)),
      Map.entry("lstrip", (v, a) -> strip(str(v), a, true, false)),
      Map.entry("rstrip", (v, a) -> strip(str(v), a, false, true)),
      Map.entry("startswith", (v, a) -> affix(str(v), a[0], true)),
      Map.entry("endswith", (v, a) -> affix(str(v), a[0], false)),
      Map.entry("split", (v, a) -> split(str(v), a)),
      Map.entry("upper", (v, a) -> str(v).toUpperCase(Locale.ROOT)),
      Map.entry("lower", (v, a) -> str(v).toLowerCase(Locale.ROOT)),
      Map.entry("replace", (v, a) -> replace(str(v), str(a[0]), str(a[1]), a.length > 2 ? toInt(a[2]) : -1)),
      Map.entry("title", (v, a) -> title(str(v))),
      Map.entry("capitalize", (v, a) -> capitalize(str(v))),
      Map.entry("get", (v, a) -> v instanceof Map<?, ?> m && m.containsKey(a[0]) ? m.get(a[0]) : a.length > 1 ? a[1] : null),
      Map.entry("keys", (v, a) -> v instanceof Map<?, ?> m ? new ArrayList<>(m.keySet()) : List.of()));

  private static final Pattern CALL = Pattern.compile("\\.(" + String.join("|", METHODS.keySet()) + ")\\(");

  private PythonMethods() {}

  /** Registers the {@code py_*} filters and Jinja's {@code items}, which Jinjava lacks. */
  static void register(Context context) {
    context.registerFilter(new AdvancedFilter() {
      @Override
      public String getName() {
        return "items";
      }

      @Override
      public Object filter(@Nullable Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        List<List<@Nullable Object>> pairs = new ArrayList<>();
        if (var instanceof Map<?, ?> map) {
          for (Map.Entry<?, ?> e : map.entrySet()) {
            pairs.add(Arrays.asList(e.getKey(), e.getValue()));
          }
        }
        return pairs;
      }
    });
    METHODS.forEach((name, body) -> context.registerFilter(new AdvancedFilter() {
      @Override
      public String getName() {
        return "py_" + name;
      }

      @Override
      public @Nullable Object filter(@Nullable Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        return body.apply(var, args);
      }
    }));
  }

  /** Rewrites method calls inside {@code {{ }}} and {@code {% %}} (outside string literals). */
  static String rewrite(String template) {
    StringBuilder out = new StringBuilder(template.length() + 64);
    int i = 0;
    while (i < template.length()) {
      int open = nextTag(template, i);
      if (open < 0) {
        out.append(template, i, template.length());
        break;
      }
      out.append(template, i, open);
      String close = template.charAt(open + 1) == '{' ? "}}" : "%}";
      int end = tagEnd(template, open + 2, close);
      out.append(rewriteExpression(template.substring(open, end)));
      i = end;
    }
    return out.toString();
  }

  private static int nextTag(String s, int from) {
    int a = s.indexOf("{{", from);
    int b = s.indexOf("{%", from);
    int c = s.indexOf("{#", from);
    int min = -1;
    for (int x : new int[] {a, b, c}) {
      if (x >= 0 && (min < 0 || x < min)) {
        min = x;
      }
    }
    if (min >= 0 && min == c) {
      int endComment = s.indexOf("#}", c + 2);
      // Comments are copied as they are.
      return endComment < 0 ? -1 : nextTag(s, endComment + 2);
    }
    return min;
  }

  private static int tagEnd(String s, int from, String close) {
    char quote = 0;
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (s.startsWith(close, i)) {
        return i + close.length();
      }
    }
    return s.length();
  }

  private static String rewriteExpression(String tag) {
    StringBuilder out = new StringBuilder(tag.length());
    int segmentStart = 0;
    char quote = 0;
    for (int i = 0; i < tag.length(); i++) {
      char c = tag.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
          out.append(tag, segmentStart, i + 1);
          segmentStart = i + 1;
        }
      } else if (c == '\'' || c == '"') {
        out.append(rewriteCode(tag.substring(segmentStart, i)));
        segmentStart = i;
        quote = c;
      }
    }
    String rest = tag.substring(segmentStart);
    out.append(quote != 0 ? rest : rewriteCode(rest));
    return out.toString();
  }

  private static String rewriteCode(String code) {
    Matcher m = CALL.matcher(code);
    return m.replaceAll(r -> "|py_" + r.group(1) + "(");
  }

  /** Python's {@code strftime} for the format codes chat templates use, at the current time. */
  static String strftimeNow(String format) {
    ZonedDateTime now = ZonedDateTime.now();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 == format.length()) {
        out.append(c);
        continue;
      }
      char code = format.charAt(++i);
      String pattern = switch (code) {
        case 'd' -> "dd";
        case 'm' -> "MM";
        case 'Y' -> "yyyy";
        case 'y' -> "yy";
        case 'b' -> "MMM";
        case 'B' -> "MMMM";
        case 'a' -> "EEE";
        case 'A' -> "EEEE";
        case 'H' -> "HH";
        case 'I' -> "hh";
        case 'M' -> "mm";
        case 'S' -> "ss";
        case 'p' -> "a";
        case 'j' -> "DDD";
        default -> null;
      };
      if (pattern == null) {
        out.append(code == '%' ? "%" : "%" + code);
      } else {
        out.append(DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(now));
      }
    }
    return out.toString();
  }

  private static String str(@Nullable Object v) {
    return v == null ? "" : v.toString();
  }

  private static int toInt(Object v) {
    return v instanceof Number n ? n.intValue() : Integer.parseInt(v.toString());
  }

  private static String strip(String s, Object[] args, boolean left, boolean right) {
    String chars = args.length > 0 && args[0] != null ? args[0].toString() : null;
    int start = 0;
    int end = s.length();
    while (left && start < end && (chars == null ? Character.isWhitespace(s.charAt(start)) : chars.indexOf(s.charAt(start)) >= 0)) {
      start++;
    }
    while (right && end > start && (chars == null ? Character.isWhitespace(s.charAt(end - 1)) : chars.indexOf(s.charAt(end - 1)) >= 0)) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean affix(String s, @Nullable Object arg, boolean prefix) {
    if (arg instanceof Collection<?> options) {
      for (Object option : options) {
        if (prefix ? s.startsWith(str(option)) : s.endsWith(str(option))) {
          return true;
        }
      }
      return false;
    }
    return prefix ? s.startsWith(str(arg)) : s.endsWith(str(arg));
  }

  private static List<String> split(String s, Object[] args) {
    String sep = args.length > 0 && args[0] != null ? args[0].toString() : null;
    int max = args.length > 1 ? toInt(args[1]) : -1;
    List<String> parts = new ArrayList<>();
    if (sep == null) {
      // Python: runs of whitespace separate, no empty strings.
      int i = 0;
      while (i < s.length()) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
          i++;
        }
        if (i == s.length()) {
          break;
        }
        if (max >= 0 && parts.size() == max) {
          parts.add(strip(s.substring(i), new Object[0], false, true));
          return parts;
        }
        int j = i;
        while (j < s.length() && !Character.isWhitespace(s.charAt(j))) {
          j++;
        }
        parts.add(s.substring(i, j));
        i = j;
      }
      return parts;
    }
    int from = 0;
    while (max < 0 || parts.size() < max) {
      int at = s.indexOf(sep, from);
      if (at < 0 || sep.isEmpty()) {
        break;
      }
      parts.add(s.substring(from, at));
      from = at + sep.length();
    }
    parts.add(s.substring(from));
    return parts;
  }

  private static String replace(String s, String old, String replacement, int count) {
    if (count < 0) {
      return s.replace(old, replacement);
    }
    StringBuilder out = new StringBuilder();
    int from = 0;
    for (int n = 0; n < count; n++) {
      int at = s.indexOf(old, from);
      if (at < 0) {
        break;
      }
      out.append(s, from, at).append(replacement);
      from = at + old.length();
    }
    return out.append(s.substring(from)).toString();
  }

  private static String title(String s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean previousCased = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      out.append(previousCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
      previousCased = Character.isLetter(c);
    }
    return out.toString();
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1).toLowerCase(Locale.ROOT);
  }
}
