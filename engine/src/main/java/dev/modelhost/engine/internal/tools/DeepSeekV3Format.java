package dev.modelhost.engine.internal.tools;

import static dev.modelhost.engine.internal.grammar.Grammar.literal;
import static dev.modelhost.engine.internal.grammar.Grammar.sequence;

import dev.modelhost.api.Tool;
import dev.modelhost.engine.internal.grammar.Grammar;
import java.util.List;

/**
 * {@code deepseek_v3}: DeepSeek V3 and R1 write
 * {@code <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME\n```json\n{...}\n```<｜tool▁call▁end｜>...<｜tool▁calls▁end｜>};
 * V3.1 drops the type and the code fence:
 * {@code <｜tool▁call▁begin｜>NAME<｜tool▁sep｜>{...}<｜tool▁call▁end｜>}. Both are read; forced calls
 * are written in the V3 / R1 form, calls separated by a newline as the template writes them.
 */
final class DeepSeekV3Format implements ToolFormat {

  static final DeepSeekV3Format INSTANCE = new DeepSeekV3Format();
  private static final String CALLS_BEGIN = "<｜tool▁calls▁begin｜>";
  private static final String CALLS_END = "<｜tool▁calls▁end｜>";
  private static final String CALL_BEGIN = "<｜tool▁call▁begin｜>";
  private static final String CALL_END = "<｜tool▁call▁end｜>";
  private static final String SEP = "<｜tool▁sep｜>";
  /** The call type that only the V3 / R1 form writes before the separator. */
  private static final String TYPED = "function";

  private DeepSeekV3Format() {}

  @Override
  public String name() {
    return "deepseek_v3";
  }

  @Override
  public List<String> markers() {
    return List.of(CALLS_BEGIN, CALLS_END, CALL_BEGIN, CALL_END, SEP);
  }

  @Override
  public List<String> openers() {
    return List.of(CALLS_BEGIN);
  }

  @Override
  public Grammar forcedCalls(List<ForcedFunction> functions, boolean parallel) {
    return ForcedCalls.calls(literal(CALLS_BEGIN), functions,
        f -> sequence(literal(CALL_BEGIN + TYPED + SEP + f.name() + "\n```json\n"), f.jsonArguments(),
            literal("\n```" + CALL_END)),
        "\n", literal(CALLS_END), parallel);
  }

  @Override
  public void read(TextCursor in, Section section, List<Tool> tools) {
    in.expect(CALLS_BEGIN);
    while (true) {
      in.skipWhitespace();
      // Output cut off after a whole call still holds that call.
      if (in.consume(CALLS_END) || (in.atEnd() && !section.calls().isEmpty())) {
        return;
      }
      Section.Call call = section.begin(in.pos());
      in.expect(CALL_BEGIN);
      String head = in.until(SEP).strip();
      boolean typed = head.equals(TYPED);
      String name = typed ? in.until("\n").strip() : head;
      if (name.isEmpty() || name.contains("<｜")) {
        throw TextCursor.MISMATCH;
      }
      call.name = name;
      in.skipWhitespace();
      if (typed) {
        in.expect("```json");
        in.skipWhitespace();
      }
      JsonCalls.arguments(in, call);
      in.skipWhitespace();
      if (typed) {
        in.expect("```");
        in.skipWhitespace();
      }
      in.expect(CALL_END);
      call.complete(in.pos());
    }
  }
}
