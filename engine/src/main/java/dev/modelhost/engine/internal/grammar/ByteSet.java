package dev.modelhost.engine.internal.grammar;

import java.util.Arrays;

/** An immutable set of byte values (0..255). */
public final class ByteSet {

  private final long[] words;

  private ByteSet(long[] words) {
    this.words = words;
  }

  public static ByteSet of(int... values) {
    long[] words = new long[4];
    for (int v : values) {
      words[v >>> 6] |= 1L << (v & 63);
    }
    return new ByteSet(words);
  }

  /** The bytes of the ASCII characters in {@code chars}. */
  public static ByteSet ofChars(String chars) {
    return of(chars.chars().peek(c -> {
      if (c > 0x7F) {
        throw new IllegalArgumentException("Not ASCII: " + (char) c);
      }
    }).toArray());
  }

  /** {@code from} to {@code to}, both included. */
  public static ByteSet range(int from, int to) {
    long[] words = new long[4];
    for (int v = from; v <= to; v++) {
      words[v >>> 6] |= 1L << (v & 63);
    }
    return new ByteSet(words);
  }

  public boolean contains(int b) {
    return (words[b >>> 6] & (1L << (b & 63))) != 0;
  }

  public ByteSet union(ByteSet other) {
    long[] out = new long[4];
    for (int i = 0; i < 4; i++) {
      out[i] = words[i] | other.words[i];
    }
    return new ByteSet(out);
  }

  public ByteSet minus(ByteSet other) {
    long[] out = new long[4];
    for (int i = 0; i < 4; i++) {
      out[i] = words[i] & ~other.words[i];
    }
    return new ByteSet(out);
  }

  public boolean isEmpty() {
    return (words[0] | words[1] | words[2] | words[3]) == 0;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ByteSet s && Arrays.equals(words, s.words);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(words);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("[");
    for (int b = 0; b < 256; b++) {
      if (contains(b)) {
        sb.append(b >= 0x21 && b < 0x7F ? String.valueOf((char) b) : String.format("\\x%02x", b));
      }
    }
    return sb.append(']').toString();
  }
}
