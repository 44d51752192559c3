package dev.modelhost.engine.internal.tools;

import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Splits one answer, as its text arrives, into content and tool calls the way OpenAI streams them.
 *
 * <ul>
 *   <li>Content is the text outside tool-call sections. Text that may be the start of a section's
 *       opening marker is held until it is known; blank text right before or after a call is
 *       dropped (and a blank answer is no content).
 *   <li>A call's first fragment carries its {@code index}, a new {@code id}, {@code type} and the
 *       function's {@code name} with empty {@code arguments}; later fragments append to the
 *       arguments as the format reads them, so that all of them together are the arguments object's
 *       JSON.
 *   <li>A section that turns out not to be one of the format's (malformed, or cut off by the end
 *       of the answer) is given back as content from its first call that is not whole on (all of
 *       it when it has no whole call), and from then on the
 *       answer is read as plain text. Fragments already sent of a call that never completed cannot
 *       be taken back; {@link #calledTools()} counts only whole calls. A stream that holds calls
 *       back (for an answer that is not streamed) sends each call only once it is whole, so an
 *       answer never holds a broken call: one cut off is content, like any text that is no call.
 * </ul>
 *
 * Used by one thread at a time.
 */
public final class ToolCallStream {

  private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  /** What one piece of text released: content and tool-call fragments, either possibly empty. */
  public record Step(String content, List<ToolCall> calls) {
    public Step {
      calls = List.copyOf(calls);
    }
  }

  /**
   * A whole answer split into its content and its calls.
   *
   * @param content the text outside the calls; null when there is none
   */
  public record Parsed(@Nullable String content, List<ToolCall> calls) {
    public Parsed {
      calls = List.copyOf(calls);
    }
  }

  private final ToolFormat format;
  private final List<Tool> tools;
  private final boolean holdCalls;
  private final StringBuilder text = new StringBuilder();
  /** Text before this index has been handled. */
  private int done;
  /** Where the open section begins, or -1. */
  private int sectionStart = -1;
  /** The ids and sent argument lengths of the open section's calls whose first fragment went out. */
  private final List<Sent> sent = new ArrayList<>();
  /** Whole calls in closed sections. */
  private int calls;
  private int sections;
  /** After a section that was not one: everything else is content. */
  private boolean plain;
  /** Blank text held back: it is dropped when a call follows. */
  private final StringBuilder blank = new StringBuilder();
  /** Whether held blank text is dropped rather than sent when content follows (after a call). */
  private boolean dropBlank;
  private boolean contentSent;

  /**
   * @param holdCalls whether a call is sent only once it is whole, rather than fragment by fragment
   */
  public ToolCallStream(ToolFormat format, List<Tool> tools, boolean holdCalls) {
    this.format = format;
    this.tools = List.copyOf(tools);
    this.holdCalls = holdCalls;
  }

  /** The content and calls of a whole answer. */
  static Parsed parse(ToolFormat format, List<Tool> tools, String answer) {
    Step step = new ToolCallStream(format, tools, true).finish(answer);
    TreeMap<Integer, ToolCall> merged = new TreeMap<>();
    for (ToolCall fragment : step.calls()) {
      merged.merge(fragment.index(), fragment, (a, b) -> new ToolCall(a.index(), a.id(), a.type(),
          new ToolCall.FunctionCall(a.function().name(), a.function().arguments() + b.function().arguments())));
    }
    return new Parsed(step.content().isEmpty() ? null : step.content(), List.copyOf(merged.values()));
  }

  /** Takes the next piece of the answer. */
  public Step accept(String piece) {
    return advance(piece, false);
  }

  /** Takes the answer's last piece (possibly empty) and releases everything held. */
  public Step finish(String last) {
    return advance(last, true);
  }

  /** Whether at least one call was read whole: the answer's finish reason is then {@code tool_calls}. */
  public boolean calledTools() {
    return calls > 0;
  }

  private Step advance(String piece, boolean ended) {
    text.append(piece);
    StringBuilder content = new StringBuilder();
    List<ToolCall> fragments = new ArrayList<>();
    while (true) {
      if (sectionStart < 0) {
        boolean outputStart = !contentSent && sections == 0;
        int start = plain ? -1 : format.sectionStart(text, done, outputStart);
        if (start < 0) {
          int keep = ended || plain ? text.length() : text.length() - markerPrefix();
          content(text.substring(done, keep), content);
          done = keep;
          break;
        }
        content(text.substring(done, start), content);
        sectionStart = start;
        done = start;
      }
      Section section = new Section();
      TextCursor in = new TextCursor(text, sectionStart, ended);
      TextCursor.Signal outcome = null;
      try {
        format.read(in, section, tools);
      } catch (TextCursor.Signal signal) {
        outcome = signal;
      }
      send(section, outcome == TextCursor.MISMATCH, fragments);
      if (outcome == TextCursor.INCOMPLETE) {
        break;
      }
      int whole = 0;
      while (whole < section.calls().size() && section.calls().get(whole).complete) {
        whole++;
      }
      if (outcome == null) {
        done = in.pos();
      } else {
        // Not a section after all: its text from its first call that is not whole on is content.
        List<Section.Call> read = section.calls();
        done = whole == 0 ? sectionStart : whole < read.size() ? read.get(whole).start : read.get(whole - 1).end;
        plain = true;
      }
      calls += whole;
      sections++;
      sectionStart = -1;
      sent.clear();
      if (whole > 0) {
        blank.setLength(0);
        dropBlank = true;
      }
    }
    if (ended) {
      if (calls == 0 && contentSent) {
        content.append(blank);
      }
      blank.setLength(0);
    }
    return new Step(content.toString(), fragments);
  }

  /** Sends what is new of the open section's calls: first fragments, then argument text. */
  private void send(Section section, boolean failed, List<ToolCall> out) {
    for (int k = 0; k < section.calls().size(); k++) {
      Section.Call call = section.calls().get(k);
      if (call.name == null || !call.confirmed || ((failed || holdCalls) && !call.complete)) {
        return;
      }
      int index = calls + k;
      if (k == sent.size()) {
        Sent first = new Sent(newId());
        sent.add(first);
        out.add(new ToolCall(index, first.id, "function", new ToolCall.FunctionCall(call.name, "")));
      }
      Sent s = sent.get(k);
      if (call.arguments.length() > s.arguments) {
        out.add(new ToolCall(index, null, null, new ToolCall.FunctionCall(null, call.arguments.substring(s.arguments))));
        s.arguments = call.arguments.length();
      }
    }
  }

  /** Adds content, holding blank text at its end (and dropping it after a call). */
  private void content(String piece, StringBuilder out) {
    int first = 0;
    while (first < piece.length() && Character.isWhitespace(piece.charAt(first))) {
      first++;
    }
    if (first == piece.length()) {
      blank.append(piece);
      return;
    }
    if (!dropBlank) {
      out.append(blank).append(piece, 0, first);
    }
    blank.setLength(0);
    dropBlank = false;
    int last = piece.length();
    while (Character.isWhitespace(piece.charAt(last - 1))) {
      last--;
    }
    out.append(piece, first, last);
    blank.append(piece, last, piece.length());
    contentSent = true;
  }

  /** Length of the longest end of the unhandled text that begins an opening marker. */
  private int markerPrefix() {
    int longest = 0;
    for (String opener : format.openers()) {
      for (int len = Math.min(opener.length() - 1, text.length() - done); len > longest; len--) {
        if (endsWith(opener, len)) {
          longest = len;
          break;
        }
      }
    }
    return longest;
  }

  private boolean endsWith(String opener, int len) {
    int from = text.length() - len;
    for (int i = 0; i < len; i++) {
      if (text.charAt(from + i) != opener.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** {@code call_} and 24 random letters and digits, like OpenAI's ids (unique, not secret). */
  public static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] id = new char[24];
    for (int i = 0; i < id.length; i++) {
      id[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return "call_" + new String(id);
  }

  private static final class Sent {
    final String id;
    int arguments;

    Sent(String id) {
      this.id = id;
    }
  }
}
