package dev.modelhost.engine.internal.jinja;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/** Python's {@code datetime.strftime} (C locale) for the directives chat templates use. */
final class Strftime {

  private Strftime() {}

  static String format(LocalDateTime t, String pattern) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c != '%' || i + 1 == pattern.length()) {
        out.append(c);
        continue;
      }
      char d = pattern.charAt(++i);
      boolean unpadded = d == '-' && i + 1 < pattern.length();
      if (unpadded) {
        d = pattern.charAt(++i);
      }
      out.append(directive(t, d, unpadded));
    }
    return out.toString();
  }

  private static String directive(LocalDateTime t, char d, boolean unpadded) {
    int hour12 = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
    return switch (d) {
      case 'Y' -> String.valueOf(t.getYear());
      case 'y' -> number(t.getYear() % 100, 2, unpadded);
      case 'm' -> number(t.getMonthValue(), 2, unpadded);
      case 'd' -> number(t.getDayOfMonth(), 2, unpadded);
      case 'e' -> String.format("%2d", t.getDayOfMonth());
      case 'H' -> number(t.getHour(), 2, unpadded);
      case 'I' -> number(hour12, 2, unpadded);
      case 'M' -> number(t.getMinute(), 2, unpadded);
      case 'S' -> number(t.getSecond(), 2, unpadded);
      case 'j' -> number(t.getDayOfYear(), 3, unpadded);
      case 'f' -> String.format("%06d", t.getNano() / 1000);
      case 'p' -> t.getHour() < 12 ? "AM" : "PM";
      case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
      case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
      case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
      case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
      case 'w' -> String.valueOf(t.getDayOfWeek().getValue() % 7);
      case 'u' -> String.valueOf(t.getDayOfWeek().getValue());
      case 'F' -> String.format("%d-%02d-%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth());
      case 'T' -> String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond());
      case 'D' -> String.format("%02d/%02d/%02d", t.getMonthValue(), t.getDayOfMonth(), t.getYear() % 100);
      case 'R' -> String.format("%02d:%02d", t.getHour(), t.getMinute());
      case 'z', 'Z' -> "";
      case 'n' -> "\n";
      case 't' -> "\t";
      case '%' -> "%";
      default -> "%" + (unpadded ? "-" : "") + d;
    };
  }

  private static String number(int value, int width, boolean unpadded) {
    return unpadded ? String.valueOf(value) : String.format("%0" + width + "d", value);
  }
}
