package dev.modelhost.engine.internal.tools;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a format has read of one tool-call section so far: its calls, each as far as it goes. A
 * format fills a fresh section every time it re-reads the text, so every field only grows from one
 * reading to the next.
 */
final class Section {

  private final List<Call> calls = new ArrayList<>();

  List<Call> calls() {
    return calls;
  }

  /** Starts a call whose text begins at {@code start}. */
  Call begin(int start) {
    Call call = new Call(start);
    calls.add(call);
    return call;
  }

  /** One call being read. */
  static final class Call {

    final int start;
    /** The function's name once it is whole. */
    @Nullable String name;
    /** Whether the text is surely a call (some formats wait for more than a name). */
    boolean confirmed = true;
    /** The arguments' JSON text so far: always a valid beginning of the final object. */
    String arguments = "";
    /** Set when the call is read to its end; then {@link #arguments} is the whole object. */
    boolean complete;
    /** Where the call's text ends, once complete. */
    int end = -1;

    private Call(int start) {
      this.start = start;
    }

    /** Marks the call whole at {@code at}; a call that named no arguments has none. */
    void complete(int at) {
      if (arguments.isEmpty()) {
        arguments = "{}";
      }
      complete = true;
      end = at;
    }
  }
}
