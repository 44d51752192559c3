package dev.modelhost.engine.internal.grammar;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A regular language over the bytes of generated text, built from combinators. Constraints on the
 * output (a JSON schema, a forced tool call in a model family's format) are written as grammars
 * and compiled once into a {@link ByteAutomaton}.
 *
 * <p>Grammars are immutable values; the same grammar may appear in several places of a larger one.
 */
public sealed interface Grammar {

  /** Exactly these bytes. */
  record Literal(byte[] bytes) implements Grammar {
    public Literal {
      bytes = bytes.clone();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Literal l && Arrays.equals(bytes, l.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Literal[" + new String(bytes, StandardCharsets.UTF_8) + "]";
    }
  }

  /** One byte from a set. */
  record ByteClass(ByteSet bytes) implements Grammar {}

  /** The parts one after another. */
  record Sequence(List<Grammar> parts) implements Grammar {
    public Sequence {
      parts = List.copyOf(parts);
    }
  }

  /** One of the alternatives. */
  record Choice(List<Grammar> alternatives) implements Grammar {
    public Choice {
      alternatives = List.copyOf(alternatives);
      if (alternatives.isEmpty()) {
        throw new IllegalArgumentException("A choice needs at least one alternative.");
      }
    }
  }

  /** {@code min} to {@code max} repetitions; {@code max} {@link #UNBOUNDED} for no limit. */
  record Repeat(Grammar part, int min, int max) implements Grammar {
    public Repeat {
      if (min < 0 || (max != UNBOUNDED && max < min)) {
        throw new IllegalArgumentException("Bad repetition bounds " + min + ".." + max);
      }
    }
  }

  /**
   * {@code min} (at least 1) to {@code max} parts with {@code separator} between them. Unlike a
   * repetition of {@code separator part}, an unbounded list holds only one copy of the part, which
   * keeps nested lists (JSON values in JSON values) from doubling in size at every level.
   */
  record Separated(Grammar part, Grammar separator, int min, int max) implements Grammar {
    public Separated {
      if (min < 1 || (max != UNBOUNDED && max < min)) {
        throw new IllegalArgumentException("Bad list bounds " + min + ".." + max);
      }
    }
  }

  /**
   * Any bytes (none included) that do not contain one of {@code forbidden}: free text up to where
   * a tool-call section would open.
   */
  record TextAvoiding(List<String> forbidden) implements Grammar {
    public TextAvoiding {
      forbidden = List.copyOf(forbidden);
      if (forbidden.isEmpty() || forbidden.stream().anyMatch(String::isEmpty)) {
        throw new IllegalArgumentException("Forbidden texts must be given and not empty.");
      }
    }
  }

  int UNBOUNDED = -1;

  static Grammar literal(String text) {
    return new Literal(text.getBytes(StandardCharsets.UTF_8));
  }

  static Grammar bytes(ByteSet set) {
    return new ByteClass(set);
  }

  static Grammar sequence(Grammar... parts) {
    return parts.length == 1 ? parts[0] : new Sequence(List.of(parts));
  }

  static Grammar sequence(List<Grammar> parts) {
    return parts.size() == 1 ? parts.get(0) : new Sequence(parts);
  }

  static Grammar choice(Grammar... alternatives) {
    return alternatives.length == 1 ? alternatives[0] : new Choice(List.of(alternatives));
  }

  static Grammar choice(List<Grammar> alternatives) {
    return alternatives.size() == 1 ? alternatives.get(0) : new Choice(alternatives);
  }

  static Grammar repeat(Grammar part, int min, int max) {
    return new Repeat(part, min, max);
  }

  /** {@code min} to {@code max} parts separated by {@code separator}; {@code min} may be 0. */
  static Grammar separated(Grammar part, Grammar separator, int min, int max) {
    if (max == 0) {
      return empty();
    }
    Grammar list = new Separated(part, separator, Math.max(min, 1), max);
    return min == 0 ? optional(list) : list;
  }

  static Grammar optional(Grammar part) {
    return new Repeat(part, 0, 1);
  }

  static Grammar textAvoiding(List<String> forbidden) {
    return new TextAvoiding(forbidden);
  }

  /** Nothing: matches the empty text. */
  static Grammar empty() {
    return new Sequence(List.of());
  }

  /** One whole UTF-8 encoded character (1 to 4 bytes, no overlong forms or surrogates) not in {@code excludedAscii}. */
  static Grammar utf8Char(ByteSet excludedAscii) {
    ByteSet ascii = ByteSet.range(0x00, 0x7F).minus(excludedAscii);
    ByteSet tail = ByteSet.range(0x80, 0xBF);
    return choice(
        bytes(ascii),
        sequence(bytes(ByteSet.range(0xC2, 0xDF)), bytes(tail)),
        sequence(bytes(ByteSet.of(0xE0)), bytes(ByteSet.range(0xA0, 0xBF)), bytes(tail)),
        sequence(bytes(ByteSet.range(0xE1, 0xEC).union(ByteSet.range(0xEE, 0xEF))), bytes(tail), bytes(tail)),
        sequence(bytes(ByteSet.of(0xED)), bytes(ByteSet.range(0x80, 0x9F)), bytes(tail)),
        sequence(bytes(ByteSet.of(0xF0)), bytes(ByteSet.range(0x90, 0xBF)), bytes(tail), bytes(tail)),
        sequence(bytes(ByteSet.range(0xF1, 0xF3)), bytes(tail), bytes(tail), bytes(tail)),
        sequence(bytes(ByteSet.of(0xF4)), bytes(ByteSet.range(0x80, 0x8F)), bytes(tail), bytes(tail)));
  }
}
