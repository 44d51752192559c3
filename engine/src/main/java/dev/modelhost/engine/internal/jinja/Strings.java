package dev.modelhost.engine.internal.jinja;

import java.util.ArrayList;
import java.util.List;

/** Python's string operations, counted in code points as Python counts them. */
final class Strings {

  private Strings() {}

  static boolean isSpace(int cp) {
    return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20) || cp == 0x85 || cp == 0xa0 || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
  }

  static List<String> chars(String s) {
    List<String> out = new ArrayList<>();
    s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
    return out;
  }

  /** {@code str.strip/lstrip/rstrip}: whitespace, or any of {@code chars} when given. */
  static String strip(String s, @org.jspecify.annotations.Nullable String chars, boolean left, boolean right) {
    int[] cps = s.codePoints().toArray();
    int start = 0;
    int end = cps.length;
    while (left && start < end && stripped(cps[start], chars)) {
      start++;
    }
    while (right && end > start && stripped(cps[end - 1], chars)) {
      end--;
    }
    return new String(cps, start, end - start);
  }

  private static boolean stripped(int cp, @org.jspecify.annotations.Nullable String chars) {
    return chars == null ? isSpace(cp) : chars.codePoints().anyMatch(c -> c == cp);
  }

  /** {@code str.split(sep, maxsplit)}; a null separator splits on runs of whitespace. */
  static List<Object> split(String s, @org.jspecify.annotations.Nullable String sep, long maxSplit) {
    List<Object> out = new ArrayList<>();
    if (sep == null) {
      int[] cps = s.codePoints().toArray();
      int i = 0;
      while (i < cps.length) {
        while (i < cps.length && isSpace(cps[i])) {
          i++;
        }
        if (i == cps.length) {
          break;
        }
        if (maxSplit >= 0 && out.size() == maxSplit) {
          int end = cps.length;
          while (end > i && isSpace(cps[end - 1])) {
            end--;
          }
          out.add(new String(cps, i, end - i));
          break;
        }
        int start = i;
        while (i < cps.length && !isSpace(cps[i])) {
          i++;
        }
        out.add(new String(cps, start, i - start));
      }
      return out;
    }
    if (sep.isEmpty()) {
      throw new TemplateException.Runtime("empty separator");
    }
    int from = 0;
    while (maxSplit < 0 || out.size() < maxSplit) {
      int at = s.indexOf(sep, from);
      if (at < 0) {
        break;
      }
      out.add(s.substring(from, at));
      from = at + sep.length();
    }
    out.add(s.substring(from));
    return out;
  }

  /** {@code str.rsplit(sep, maxsplit)} with a separator. */
  static List<Object> rsplit(String s, String sep, long maxSplit) {
    if (maxSplit < 0) {
      return split(s, sep, -1);
    }
    List<Object> out = new ArrayList<>();
    int to = s.length();
    while (out.size() < maxSplit) {
      int at = s.lastIndexOf(sep, to - sep.length());
      if (at < 0) {
        break;
      }
      out.add(0, s.substring(at + sep.length(), to));
      to = at;
    }
    out.add(0, s.substring(0, to));
    return out;
  }

  static String replace(String s, String old, String replacement, long count) {
    if (count < 0) {
      if (old.isEmpty()) {
        StringBuilder out = new StringBuilder(replacement);
        chars(s).forEach(c -> out.append(c).append(replacement));
        return out.toString();
      }
      return s.replace(old, replacement);
    }
    StringBuilder out = new StringBuilder();
    int from = 0;
    for (long done = 0; done < count && !old.isEmpty(); done++) {
      int at = s.indexOf(old, from);
      if (at < 0) {
        break;
      }
      out.append(s, from, at).append(replacement);
      from = at + old.length();
    }
    return out.append(s.substring(from)).toString();
  }

  static String capitalize(String s) {
    if (s.isEmpty()) {
      return s;
    }
    int first = s.codePointAt(0);
    int width = Character.charCount(first);
    return new String(Character.toChars(Character.toTitleCase(first))) + s.substring(width).toLowerCase(java.util.Locale.ROOT);
  }

  /** Python's {@code str.title()}: upper case after any non-letter, lower case elsewhere. */
  static String title(String s) {
    StringBuilder out = new StringBuilder();
    boolean previousCased = false;
    for (int cp : s.codePoints().toArray()) {
      out.appendCodePoint(previousCased ? Character.toLowerCase(cp) : Character.toTitleCase(cp));
      previousCased = Character.isLetter(cp);
    }
    return out.toString();
  }

  /** {@code str.splitlines()}: lines without their endings, no empty last line. */
  static List<Object> splitLines(String s) {
    List<Object> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r') {
        out.add(s.substring(start, i));
        if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    if (start < s.length()) {
      out.add(s.substring(start));
    }
    return out;
  }
}
