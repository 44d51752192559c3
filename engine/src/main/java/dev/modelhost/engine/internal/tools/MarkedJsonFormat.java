package dev.modelhost.engine.internal.tools;

import dev.modelhost.api.Tool;
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
 * A block cut off just before its closing marker still holds a call when its JSON is whole.
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
