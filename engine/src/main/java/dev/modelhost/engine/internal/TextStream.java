package dev.modelhost.engine.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Turns one sequence's tokens into text as they come. Bytes of a character split across tokens are
 * held until the character is whole; text that may be the start of a stop sequence is held until
 * it is known not to be one; a stop sequence itself is never emitted. Special tokens add no text,
 * except those the caller asks to see.
 */
final class TextStream {

  private final TextTokenizer tokenizer;
  private final boolean[] shownSpecial;
  private final List<String> stops;
  private final int longestStop;
  private byte[] bytes = new byte[16];
  private int byteCount;
  private final StringBuilder pending = new StringBuilder();
  private boolean started;
  private boolean stopped;

  /**
   * @param shownSpecial special tokens, by id, whose text is emitted as if it were ordinary text
   *     (the markers a tool-call format reads); do not modify
   */
  public TextStream(TextTokenizer tokenizer, boolean[] shownSpecial, List<String> stops) {
    this.tokenizer = tokenizer;
    this.shownSpecial = shownSpecial;
    this.stops = List.copyOf(stops);
    this.longestStop = stops.stream().mapToInt(String::length).max().orElse(0);
  }

  /** Whether a stop sequence was matched; nothing more is emitted then. */
  public boolean stopped() {
    return stopped;
  }

  /** Adds a token; returns the text that can be emitted now (possibly empty). */
  public String accept(int token) {
    if (stopped) {
      return "";
    }
    byte[] b = token >= 0 && token < shownSpecial.length && shownSpecial[token]
        ? tokenizer.specialText(token)
        : tokenizer.bytes(token);
    if (b.length == 0) {
      return "";
    }
    if (byteCount + b.length > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, byteCount + b.length));
    }
    System.arraycopy(b, 0, bytes, byteCount, b.length);
    byteCount += b.length;
    int complete = Utf8.completePrefixLength(bytes, 0, byteCount);
    if (complete == 0) {
      return "";
    }
    appendText(new String(bytes, 0, complete, StandardCharsets.UTF_8));
    System.arraycopy(bytes, complete, bytes, 0, byteCount - complete);
    byteCount -= complete;
    return release(false);
  }

  /** Ends the stream: returns whatever was held back (an incomplete character as U+FFFD). */
  public String finish() {
    if (stopped) {
      return "";
    }
    if (byteCount > 0) {
      appendText(new String(bytes, 0, byteCount, StandardCharsets.UTF_8));
      byteCount = 0;
    }
    return release(true);
  }

  private void appendText(String text) {
    if (!started && !text.isEmpty()) {
      started = true;
      if (tokenizer.stripsLeadingSpace() && text.charAt(0) == ' ') {
        text = text.substring(1);
      }
    }
    pending.append(text);
  }

  private String release(boolean end) {
    int cut = pending.length();
    for (String stop : stops) {
      int at = pending.indexOf(stop);
      if (at >= 0 && at < cut) {
        cut = at;
        stopped = true;
      }
    }
    if (stopped) {
      String out = pending.substring(0, cut);
      pending.setLength(0);
      return out;
    }
    int hold = end ? 0 : heldBack();
    String out = pending.substring(0, pending.length() - hold);
    pending.delete(0, pending.length() - hold);
    return out;
  }

  /** Length of the longest end of the pending text that begins some stop sequence. */
  private int heldBack() {
    int max = Math.min(longestStop - 1, pending.length());
    for (int len = max; len > 0; len--) {
      int from = pending.length() - len;
      for (String stop : stops) {
        if (stop.length() > len && regionMatches(from, stop, len)) {
          return len;
        }
      }
    }
    return 0;
  }

  private boolean regionMatches(int from, String stop, int len) {
    for (int i = 0; i < len; i++) {
      if (pending.charAt(from + i) != stop.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
