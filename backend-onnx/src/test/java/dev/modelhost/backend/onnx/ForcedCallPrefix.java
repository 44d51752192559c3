package dev.modelhost.backend.onnx;

import dev.modelhost.engine.internal.grammar.ByteAutomaton;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Whether text cut off by the token limit is still the start of forced calls in the Hermes form
 * (an optional space, then {@code <tool_call>\n{"name": "NAME", "arguments": ARGS}\n</tool_call>},
 * more calls after a newline when parallel calls are on), each ARGS held to its function's
 * automaton. The form is spelled out here independently of the engine's grammar.
 */
final class ForcedCallPrefix {

  private static final byte[] CLOSE = "}\n</tool_call>".getBytes(StandardCharsets.UTF_8);

  private ForcedCallPrefix() {}

  /**
   * @param arguments each callable function's name and the automaton of its arguments
   */
  static boolean live(String text, Map<String, ByteAutomaton> arguments, boolean parallel) {
    byte[] rest = text.getBytes(StandardCharsets.UTF_8);
    if (rest.length > 0 && rest[0] == ' ') {
      rest = Arrays.copyOfRange(rest, 1, rest.length);
    }
    while (true) {
      byte[] after = null;
      for (var function : arguments.entrySet()) {
        byte[] head = ("<tool_call>\n{\"name\": \"" + function.getKey() + "\", \"arguments\": ").getBytes(StandardCharsets.UTF_8);
        if (startsWith(head, rest)) {
          return true;
        }
        if (startsWith(rest, head)) {
          after = afterArguments(function.getValue(), Arrays.copyOfRange(rest, head.length, rest.length));
          break;
        }
      }
      if (after == null) {
        return false;
      }
      if (after.length == 0 || !parallel) {
        return after.length == 0;
      }
      if (after[0] != '\n') {
        return false;
      }
      rest = Arrays.copyOfRange(after, 1, after.length);
    }
  }

  /**
   * What follows one call's closing tag: empty when the text ends inside the call, null when the
   * text leaves the call's form.
   */
  private static byte[] afterArguments(ByteAutomaton automaton, byte[] text) {
    int state = automaton.start();
    for (int i = 0; i < text.length; i++) {
      int next = automaton.step(state, text[i] & 0xff);
      if (next == ByteAutomaton.DEAD) {
        if (!automaton.accepting(state)) {
          return null;
        }
        byte[] tail = Arrays.copyOfRange(text, i, text.length);
        if (startsWith(CLOSE, tail)) {
          return new byte[0];
        }
        return startsWith(tail, CLOSE) ? Arrays.copyOfRange(tail, CLOSE.length, tail.length) : null;
      }
      state = next;
    }
    return new byte[0];
  }

  private static boolean startsWith(byte[] text, byte[] prefix) {
    return text.length >= prefix.length && Arrays.equals(text, 0, prefix.length, prefix, 0, prefix.length);
  }
}
