package dev.modelhost.engine.internal.tools;

import java.util.Set;

/**
 * Calls written as JSON objects, {@code {"name": "f", "arguments": {...}}}, alone or in an array:
 * the form of Hermes, Llama 3, Mistral's older tokenizers, Phi-4-mini and Granite. The arguments
 * object is passed on as the model writes it, so it streams character by character.
 */
final class JsonCalls {

  private static final Set<String> ARGUMENT_KEYS = Set.of("arguments", "parameters");

  private JsonCalls() {}

  /** One call object, or an array of them. */
  static void objectOrArray(TextCursor in, Section section) {
    in.skipWhitespace();
    if (in.peek() == '[') {
      array(in, section);
    } else {
      object(in, section, false);
    }
  }

  /** {@code [call, call, ...]}; an empty array is not a call. */
  static void array(TextCursor in, Section section) {
    in.expect("[");
    while (true) {
      in.skipWhitespace();
      object(in, section, false);
      if (in.listEnds(']')) {
        return;
      }
    }
  }

  /**
   * One call object; keys may come in any order and unknown keys are skipped, but a call needs a
   * string {@code name}.
   *
   * @param strict for bare JSON that may be an ordinary answer: only a call's keys are accepted, and
   *     the call is confirmed only once it has both a name and arguments
   */
  static void object(TextCursor in, Section section, boolean strict) {
    Section.Call call = section.begin(in.pos());
    call.confirmed = !strict;
    in.expect("{");
    boolean hasArguments = false;
    while (true) {
      in.skipWhitespace();
      String key = JsonText.string(in);
      in.skipWhitespace();
      in.expect(":");
      in.skipWhitespace();
      if (key.equals("name") && call.name == null) {
        call.name = JsonText.string(in);
      } else if (ARGUMENT_KEYS.contains(key) && !hasArguments) {
        hasArguments = true;
        call.confirmed = true;
        arguments(in, call);
      } else if (strict && !key.equals("type")) {
        throw TextCursor.MISMATCH;
      } else {
        JsonText.value(in);
      }
      if (in.listEnds('}')) {
        break;
      }
    }
    if (call.name == null || (strict && !hasArguments)) {
      throw TextCursor.MISMATCH;
    }
    call.complete(in.pos());
  }

  /**
   * An arguments object, streamed as written; or, as some models write it, a string holding the
   * object's JSON, passed on once whole.
   */
  static void arguments(TextCursor in, Section.Call call) {
    char c = in.peek();
    if (c == '"') {
      String json = JsonText.string(in);
      if (!JsonText.isObject(json)) {
        throw TextCursor.MISMATCH;
      }
      call.arguments = json.strip();
      return;
    }
    if (c != '{') {
      throw TextCursor.MISMATCH;
    }
    int from = in.pos();
    try {
      JsonText.value(in);
    } catch (TextCursor.Signal signal) {
      if (signal == TextCursor.INCOMPLETE) {
        call.arguments = in.substring(from, in.text().length());
      }
      throw signal;
    }
    call.arguments = in.substring(from, in.pos());
  }
}
