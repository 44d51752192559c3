package dev.modelhost.backend.onnx;

import dev.modelhost.engine.internal.grammar.ByteAutomaton;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Whether text cut off by the token limit is still the start of one forced call in the Hermes form
 * (an optional space, then {@code <tool_call>\n{"name": "NAME", "arguments": ARGS}\n</tool_call>}),
 * ARGS held to its function's automaton. The form is spelled out here independently of the
 * engine's grammar.
 */
final class ForcedCallPrefix {

  private static final byte[] CLOSE = "}\n</tool_call>".getBytes(StandardCharsets.UTF_8);

  private ForcedCallPrefix() {}

  /**
   * @param arguments each callable function's name and the automaton of its arguments
   */
  static boolean live(String text, Map<String, ByteAutomaton> arguments) {
    byte[] rest = text.getBytes(StandardCharsets.UTF_8);
    if (rest.length > 0 && rest[0] == ' ') {
      rest = Arrays.copyOfRange(rest, 1, rest.length);
    }
    for (var function : arguments.entrySet()) {
      byte[] head = ("<tool_call>\n{\"name\": \"" + function.getKey() + "\", \"arguments\": ").getBytes(StandardCharsets.UTF_8);
      if (startsWith(head, rest)) {
        return true;
      }
      if (startsWith(rest, head)) {
        return liveArguments(function.getValue(), Arrays.copyOfRange(rest, head.length, rest.length));
      }
    }
    return false;
  }

  /** Whether {@code text} is the start of arguments, or whole arguments and the start of the closing. */
  private static boolean liveArguments(ByteAutomaton automaton, byte[] text) {
    int state = automaton.start();
    for (int i = 0; i < text.length; i++) {
      int next = automaton.step(state, text[i] & 0xff);
      if (next == ByteAutomaton.DEAD) {
        return automaton.accepting(state) && startsWith(CLOSE, Arrays.copyOfRange(text, i, text.length));
      }
      state = next;
    }
    return true;
  }

  private static boolean startsWith(byte[] text, byte[] prefix) {
    return text.length >= prefix.length && Arrays.equals(text, 0, prefix.length, prefix, 0, prefix.length);
  }
}
