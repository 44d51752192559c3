package dev.modelhost.engine.internal.grammar;

import static dev.modelhost.engine.internal.grammar.Grammar.bytes;
import static dev.modelhost.engine.internal.grammar.Grammar.choice;
import static dev.modelhost.engine.internal.grammar.Grammar.literal;
import static dev.modelhost.engine.internal.grammar.Grammar.repeat;
import static dev.modelhost.engine.internal.grammar.Grammar.sequence;

import java.util.ArrayList;
import java.util.List;

/**
 * JSON numbers between bounds ({@code minimum}, {@code maximum} and their exclusive forms), as
 * grammars: the decimal digits of a range are a regular language, written digit by digit.
 * Integers are exact. A {@code number} with bounds is written as an integer in the range, with a
 * fraction only where every fraction keeps it in range (non-negative integers below the upper
 * bound), and no exponent: narrower than the schema allows, never outside it.
 */
final class NumberRange {

  /** The largest magnitude written, as {@link JsonText#INTEGER} writes at most 16 digits. */
  static final long LIMIT = 9_999_999_999_999_999L;

  private static final ByteSet DIGIT = ByteSet.range('0', '9');

  private NumberRange() {}

  /**
   * Integers in {@code [low, high]}; null when there are none.
   */
  static Grammar integers(long low, long high) {
    low = Math.max(low, -LIMIT);
    high = Math.min(high, LIMIT);
    if (low > high) {
      return null;
    }
    List<Grammar> parts = new ArrayList<>();
    if (low < 0) {
      parts.add(sequence(literal("-"), magnitudes(Math.max(1, high < 0 ? -high : 1), -low)));
    }
    if (high >= 0) {
      parts.add(magnitudes(Math.max(low, 0), high));
    }
    return choice(parts);
  }

  /** Numbers in {@code [low, high]} with integral bounds; null when there are none. */
  static Grammar numbers(long low, long high) {
    Grammar whole = integers(low, high);
    if (whole == null) {
      return null;
    }
    long from = Math.max(low, 0);
    long to = Math.min(high, LIMIT) - 1;
    if (from > to) {
      return whole;
    }
    Grammar fraction = sequence(literal("."), repeat(bytes(DIGIT), 1, 16));
    return choice(whole, sequence(magnitudes(from, to), fraction));
  }

  /** Non-negative integers in {@code [low, high]}, written without leading zeros. */
  private static Grammar magnitudes(long low, long high) {
    List<Grammar> byLength = new ArrayList<>();
    String lowText = Long.toString(low);
    String highText = Long.toString(high);
    for (int length = lowText.length(); length <= highText.length(); length++) {
      long first = length == 1 ? 0 : pow10(length - 1);
      long last = pow10(length) - 1;
      long from = Math.max(low, first);
      long to = Math.min(high, last);
      if (from <= to) {
        byLength.add(sameLength(Long.toString(from), Long.toString(to)));
      }
    }
    return choice(byLength);
  }

  /** Decimal strings of one length from {@code low} to {@code high}. */
  private static Grammar sameLength(String low, String high) {
    if (low.isEmpty()) {
      return Grammar.empty();
    }
    char lo = low.charAt(0);
    char hi = high.charAt(0);
    String lowRest = low.substring(1);
    String highRest = high.substring(1);
    if (lo == hi) {
      return sequence(literal(String.valueOf(lo)), sameLength(lowRest, highRest));
    }
    if (lowRest.chars().allMatch(c -> c == '0') && highRest.chars().allMatch(c -> c == '9')) {
      return sequence(bytes(ByteSet.range(lo, hi)), repeat(bytes(DIGIT), lowRest.length(), lowRest.length()));
    }
    List<Grammar> parts = new ArrayList<>();
    parts.add(sequence(literal(String.valueOf(lo)), sameLength(lowRest, "9".repeat(lowRest.length()))));
    if (lo + 1 <= hi - 1) {
      parts.add(sequence(bytes(ByteSet.range(lo + 1, hi - 1)), repeat(bytes(DIGIT), lowRest.length(), lowRest.length())));
    }
    parts.add(sequence(literal(String.valueOf(hi)), sameLength("0".repeat(highRest.length()), highRest)));
    return choice(parts);
  }

  private static long pow10(int exponent) {
    long value = 1;
    for (int i = 0; i < exponent; i++) {
      value *= 10;
    }
    return value;
  }
}
