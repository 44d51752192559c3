package dev.modelhost.engine.internal;

/** UTF-8 boundaries, for emitting only whole characters. */
final class Utf8 {

  private Utf8() {}

  /**
   * Length of the longest prefix of {@code b[from, to)} that does not end inside a character: only
   * an incomplete sequence at the very end is held back; invalid bytes elsewhere count as complete
   * (they decode to U+FFFD).
   */
  static int completePrefixLength(byte[] b, int from, int to) {
    // A character is at most 4 bytes: look back at most 3 for the start of the last one.
    for (int i = to - 1; i >= from && i >= to - 4; i--) {
      int x = b[i] & 0xff;
      if (x < 0x80) {
        return to; // ASCII: everything before it is complete too
      }
      if (x >= 0xC0) {
        int need = x >= 0xF0 ? 4 : x >= 0xE0 ? 3 : 2;
        return to - i >= need ? to : i;
      }
    }
    return to;
  }
}
