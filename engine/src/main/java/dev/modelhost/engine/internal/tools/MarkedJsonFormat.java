package dev.modelhost.engine.internal.tools;

import static dev.modelhost.engine.internal.grammar.Grammar.literal;

import dev.modelhost.api.Tool;
import dev.modelhost.engine.internal.grammar.Grammar;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * JSON calls after an opening marker and before an optional closing one:
 *
 * <ul>
 *   <li>{@code hermes} (Hermes, Qwen2.5, Qwen3): {@code <tool_call>{"name": ..., "arguments": {...}}</tool_call>},
 *       one block per call;
 *   <li>{@code phi4_mini}: {@code <|tool_call|>[{"name": ..., "arguments": {...}}, ...]<|/tool_call|>}
 *       (one object without the array too, as Phi-4-mini's template writes it);
 *   <li>{@code granite}: {@code <|tool_call|>[{"name": ..., "arguments": {...}}, ...]}, no closing marker.
 * </ul>
 *
 * A block cut off just before its closing marker still holds a call when its JSON is whole. Forced
 * calls are written as the templates write them: Hermes blocks {@code <tool_call>\n{...}\n</tool_call>}
 * one per line, the others one array of objects separated by {@code ", "}.
 */
record MarkedJsonFormat(String name, String open, @Nullable String close, boolean arrays) implements ToolFormat {

  static final MarkedJsonFormat HERMES = new MarkedJsonFormat("hermes", "<tool_call>", "</tool_call>", false);
  static final MarkedJsonFormat PHI4_MINI = new MarkedJsonFormat("phi4_mini", "<|tool_call|>", "<|/tool_call|>", true);
  static final MarkedJsonFormat GRANITE = new MarkedJsonFormat("granite", "<|tool_call|>", null, true);

  @Override
  public List<String> markers() {
    return close == null ? List.of(open) : List.of(open, close);
  }

  @Override
  public List<String> openers() {
    return List.of(open);
  }

  @Override
  public Grammar forcedCalls(List<ForcedFunction> functions, boolean parallel) {
    if (!arrays) {
      return ForcedCalls.calls(Grammar.empty(), functions,
          f -> Grammar.sequence(literal(open + "\n"), ForcedCalls.jsonObject(f, "arguments"), literal("\n" + close)),
          "\n", Grammar.empty(), parallel);
    }
    return ForcedCalls.calls(literal(open + "["), functions, f -> ForcedCalls.jsonObject(f, "arguments"), ", ",
        literal("]" + (close == null ? "" : close)), parallel);
  }

  @Override
  public void read(TextCursor in, Section section, List<Tool> tools) {
    in.expect(open);
    if (arrays) {
      JsonCalls.objectOrArray(in, section);
    } else {
      in.skipWhitespace();
      JsonCalls.object(in, section, false);
    }
    if (close != null) {
      in.skipWhitespace();
      if (!in.atEnd()) {
        in.expect(close);
      }
    }
  }
}
