package dev.modelhost.engine.internal.grammar;

import static dev.modelhost.engine.internal.grammar.Grammar.bytes;
import static dev.modelhost.engine.internal.grammar.Grammar.choice;
import static dev.modelhost.engine.internal.grammar.Grammar.literal;
import static dev.modelhost.engine.internal.grammar.Grammar.optional;
import static dev.modelhost.engine.internal.grammar.Grammar.repeat;
import static dev.modelhost.engine.internal.grammar.Grammar.separated;
import static dev.modelhost.engine.internal.grammar.Grammar.sequence;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The pieces of generated JSON text in the output shape {@link JsonSchemaGrammar} documents:
 * whitespace, strings, numbers, containers, generic values and the exact string formats.
 */
final class JsonText {

  /** How many container levels a generic (schema-less) value may nest. */
  static final int GENERIC_DEPTH = 6;

  private static final int MAX_INTEGER_DIGITS = 16;
  private static final int MAX_FRACTION_DIGITS = 16;
  /** Two digits: with three, texts like {@code 2e791} overflow a double and parse as infinity. */
  private static final int MAX_EXPONENT_DIGITS = 2;
  private static final int MAX_SECOND_FRACTION_DIGITS = 9;

  private static final ByteSet DIGIT = ByteSet.range('0', '9');
  private static final ByteSet NONZERO_DIGIT = ByteSet.range('1', '9');
  private static final ByteSet LOWER_HEX = DIGIT.union(ByteSet.range('a', 'f'));
  private static final ByteSet HEX = LOWER_HEX.union(ByteSet.range('A', 'F'));

  /** Optional whitespace between tokens: one space. */
  static final Grammar WS = optional(literal(" "));

  /** Optional whitespace before the root value. */
  static final Grammar LEADING = optional(literal(" "));

  /** A comma between members or items, with whitespace around it. */
  static final Grammar COMMA = sequence(WS, literal(","), WS);

  /**
   * One character of a string's content: a UTF-8 character other than quote, backslash and
   * controls, or an escape. {@code \}{@code u} escapes of surrogates are left out so that every
   * escape is exactly one character (non-BMP characters are written as UTF-8).
   */
  static final Grammar STRING_CHAR =
      choice(
          Grammar.utf8Char(ByteSet.ofChars("\"\\").union(ByteSet.range(0x00, 0x1F))),
          sequence(
              literal("\\"),
              choice(
                  bytes(ByteSet.ofChars("\"\\/bfnrt")),
                  sequence(
                      literal("u"),
                      choice(
                          sequence(bytes(HEX.minus(ByteSet.ofChars("dD"))), repeat(bytes(HEX), 3, 3)),
                          sequence(bytes(ByteSet.ofChars("dD")), bytes(ByteSet.range('0', '7')), repeat(bytes(HEX), 2, 2)))))));

  static final Grammar STRING = string(0, Grammar.UNBOUNDED);

  static final Grammar INTEGER =
      sequence(
          optional(literal("-")),
          choice(literal("0"), sequence(bytes(NONZERO_DIGIT), repeat(bytes(DIGIT), 0, MAX_INTEGER_DIGITS - 1))));

  static final Grammar NUMBER =
      sequence(
          INTEGER,
          optional(sequence(literal("."), repeat(bytes(DIGIT), 1, MAX_FRACTION_DIGITS))),
          optional(
              sequence(
                  bytes(ByteSet.ofChars("eE")),
                  optional(bytes(ByteSet.ofChars("+-"))),
                  repeat(bytes(DIGIT), 1, MAX_EXPONENT_DIGITS))));

  static final Grammar BOOLEAN = choice(literal("true"), literal("false"));

  static final Grammar NULL = literal("null");

  private static final Grammar SCALAR = choice(STRING, NUMBER, BOOLEAN, NULL);

  /** Generic values by the number of container levels they may still open (index 0: scalars only). */
  private static final List<Grammar> GENERIC = generic();

  private JsonText() {}

  /** A string of {@code min} to {@code max} characters (an escape counts as one). */
  static Grammar string(int min, int max) {
    return sequence(literal("\""), repeat(STRING_CHAR, min, max), literal("\""));
  }

  /** Any JSON value nesting at most {@link #GENERIC_DEPTH} container levels. */
  static Grammar anyValue() {
    return GENERIC.get(GENERIC_DEPTH);
  }

  /** Any JSON object nesting at most {@link #GENERIC_DEPTH} container levels, itself included. */
  static Grammar anyObject() {
    return map(GENERIC.get(GENERIC_DEPTH - 1));
  }

  /** An object with any keys, each with a value of {@code value}. */
  static Grammar map(Grammar value) {
    return object(optional(separated(member(STRING, value), COMMA, 1, Grammar.UNBOUNDED)));
  }

  /** {@code key ws : ws value}. */
  static Grammar member(Grammar key, Grammar value) {
    return sequence(key, WS, literal(":"), WS, value);
  }

  /** An object around {@code members} (which may match nothing, for {@code {}}). */
  static Grammar object(Grammar members) {
    return sequence(literal("{"), WS, optionalThenWs(members), literal("}"));
  }

  /** An array of {@code min} to {@code max} items of {@code item}. */
  static Grammar array(Grammar item, int min, int max) {
    Grammar items = min == 0 ? optional(separated(item, COMMA, 1, max)) : separated(item, COMMA, min, max);
    return sequence(literal("["), WS, optionalThenWs(max == 0 ? Grammar.empty() : items), literal("]"));
  }

  /** {@code part ws}, or nothing where {@code part} is optional, so that {@code { }} has one whitespace. */
  private static Grammar optionalThenWs(Grammar part) {
    if (part instanceof Grammar.Sequence s && s.parts().isEmpty()) {
      return part;
    }
    if (part instanceof Grammar.Repeat r && r.min() == 0 && r.max() == 1) {
      return optional(sequence(r.part(), WS));
    }
    return sequence(part, WS);
  }

  private static List<Grammar> generic() {
    List<Grammar> levels = new ArrayList<>();
    levels.add(SCALAR);
    for (int depth = 1; depth <= GENERIC_DEPTH; depth++) {
      Grammar inner = levels.get(depth - 1);
      levels.add(choice(SCALAR, map(inner), array(inner, 0, Grammar.UNBOUNDED)));
    }
    return List.copyOf(levels);
  }

  /** RFC 3339 full-date, with days that exist (29 February in leap years only). */
  static Grammar date() {
    Grammar year = repeat(bytes(DIGIT), 4, 4);
    Grammar day28 =
        choice(
            sequence(literal("0"), bytes(NONZERO_DIGIT)),
            sequence(literal("1"), bytes(DIGIT)),
            sequence(literal("2"), bytes(ByteSet.range('0', '8'))));
    Grammar day30 = choice(day28, literal("29"), literal("30"));
    Grammar day31 = choice(day30, literal("31"));
    List<Grammar> nonZeroLeapEndings = new ArrayList<>();
    List<Grammar> leapCenturies = new ArrayList<>();
    for (int n = 0; n < 100; n += 4) {
      String twoDigits = String.format("%02d", n);
      leapCenturies.add(literal(twoDigits));
      if (n != 0) {
        nonZeroLeapEndings.add(literal(twoDigits));
      }
    }
    Grammar leapYear =
        choice(
            sequence(bytes(DIGIT), bytes(DIGIT), choice(nonZeroLeapEndings)),
            sequence(choice(leapCenturies), literal("00")));
    Grammar longMonth = choice(Stream.of("01", "03", "05", "07", "08", "10", "12").map(Grammar::literal).toList());
    Grammar shortMonth = choice(Stream.of("04", "06", "09", "11").map(Grammar::literal).toList());
    Grammar nonFebruary =
        choice(
            sequence(year, literal("-"), longMonth, literal("-"), day31),
            sequence(year, literal("-"), shortMonth, literal("-"), day30));
    return choice(
        nonFebruary,
        sequence(year, literal("-02-"), day28),
        sequence(leapYear, literal("-02-29")));
  }

  /** RFC 3339 full-time without leap seconds: {@code HH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)}. */
  static Grammar time() {
    Grammar hour =
        choice(
            sequence(bytes(ByteSet.range('0', '1')), bytes(DIGIT)),
            sequence(literal("2"), bytes(ByteSet.range('0', '3'))));
    Grammar sixty = sequence(bytes(ByteSet.range('0', '5')), bytes(DIGIT));
    Grammar offset = choice(literal("Z"), sequence(bytes(ByteSet.ofChars("+-")), hour, literal(":"), sixty));
    return sequence(
        hour, literal(":"), sixty, literal(":"), sixty,
        optional(sequence(literal("."), repeat(bytes(DIGIT), 1, MAX_SECOND_FRACTION_DIGITS))),
        offset);
  }

  static Grammar dateTime() {
    return sequence(date(), literal("T"), time());
  }

  /** A UUID in its canonical lower-case 8-4-4-4-12 form. */
  static Grammar uuid() {
    List<Grammar> parts = new ArrayList<>();
    for (int length : new int[] {8, 4, 4, 4, 12}) {
      if (!parts.isEmpty()) {
        parts.add(literal("-"));
      }
      parts.add(repeat(bytes(LOWER_HEX), length, length));
    }
    return sequence(parts);
  }

  /** A string whose content is {@code content} (formats use no characters that need escaping). */
  static Grammar quoted(Grammar content) {
    return sequence(literal("\""), content, literal("\""));
  }
}
