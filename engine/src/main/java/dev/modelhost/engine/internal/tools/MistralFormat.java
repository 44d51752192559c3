package dev.modelhost.engine.internal.tools;

import static dev.modelhost.engine.internal.grammar.Grammar.literal;
import static dev.modelhost.engine.internal.grammar.Grammar.optional;
import static dev.modelhost.engine.internal.grammar.Grammar.sequence;

import dev.modelhost.api.Tool;
import dev.modelhost.engine.internal.grammar.Grammar;
import java.util.List;

/**
 * {@code mistral}: {@code [TOOL_CALLS]} followed by a JSON array of calls (tokenizers before v11),
 * or by {@code NAME[ARGS]{...}} (v11 and later; {@code NAME{...}} and a {@code [CALL_ID]ID} before
 * {@code [ARGS]} are read too), one {@code [TOOL_CALLS]} per call. Forced calls are written in the
 * array form, which every Mistral tokenizer reads: {@code [TOOL_CALLS] [{"name": ..., "arguments": {...}}, ...]}
 * (the space is optional).
 */
final class MistralFormat implements ToolFormat {

  static final MistralFormat INSTANCE = new MistralFormat();
  private static final String TOOL_CALLS = "[TOOL_CALLS]";
  private static final String ARGS = "[ARGS]";
  private static final String CALL_ID = "[CALL_ID]";

  private MistralFormat() {}

  @Override
  public String name() {
    return "mistral";
  }

  @Override
  public List<String> markers() {
    return List.of(TOOL_CALLS, ARGS, CALL_ID);
  }

  @Override
  public List<String> openers() {
    return List.of(TOOL_CALLS);
  }

  @Override
  public Grammar forcedCalls(List<ForcedFunction> functions, boolean parallel) {
    return ForcedCalls.calls(sequence(literal(TOOL_CALLS), optional(literal(" ")), literal("[")), functions,
        f -> ForcedCalls.jsonObject(f, "arguments"), ", ", literal("]"), parallel);
  }

  @Override
  public void read(TextCursor in, Section section, List<Tool> tools) {
    in.expect(TOOL_CALLS);
    in.skipWhitespace();
    char c = in.peek();
    if (c == '[' || c == '{') {
      JsonCalls.objectOrArray(in, section);
      return;
    }
    Section.Call call = section.begin(in.pos());
    int from = in.pos();
    while (isNameChar(in.peekOrEnd())) {
      in.next();
    }
    String name = in.substring(from, in.pos());
    if (name.isEmpty()) {
      throw TextCursor.MISMATCH;
    }
    if (in.consume(CALL_ID)) {
      while (Character.isLetterOrDigit(in.peek())) {
        in.next();
      }
    }
    in.consume(ARGS);
    call.name = name;
    JsonCalls.arguments(in, call);
    call.complete(in.pos());
  }

  private static boolean isNameChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
  }
}
