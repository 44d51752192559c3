package dev.modelhost.engine.internal.tools;

import dev.modelhost.api.Tool;
import dev.modelhost.engine.internal.grammar.Grammar;
import java.util.List;

/**
 * {@code llama3_json} (Llama 3.1 to 3.3): a bare JSON object {@code {"name": ..., "parameters": {...}}}
 * ({@code "arguments"} too), optionally after the {@code <|python_tag|>} token; several calls are
 * separated by {@code ;}. Without the tag only an answer that begins with {@code {} can be a call,
 * and it is one only when it has a name and arguments and no other keys: until then it is held, as
 * it may be an ordinary JSON answer. Forced calls are written as Llama 3.1's JSON tool calling writes
 * them: bare {@code {"name": ..., "parameters": {...}}} objects separated by {@code "; "}.
 */
final class Llama3JsonFormat implements ToolFormat {

  static final Llama3JsonFormat INSTANCE = new Llama3JsonFormat();
  private static final String PYTHON_TAG = "<|python_tag|>";

  private Llama3JsonFormat() {}

  @Override
  public String name() {
    return "llama3_json";
  }

  @Override
  public List<String> markers() {
    return List.of(PYTHON_TAG);
  }

  @Override
  public List<String> openers() {
    return List.of(PYTHON_TAG);
  }

  @Override
  public int sectionStart(CharSequence text, int from, boolean outputStart) {
    if (outputStart) {
      int at = from;
      while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
        at++;
      }
      if (at < text.length() && text.charAt(at) == '{') {
        return at;
      }
    }
    return ToolFormat.super.sectionStart(text, from, outputStart);
  }

  @Override
  public Grammar forcedCalls(List<ForcedFunction> functions, boolean parallel) {
    return ForcedCalls.calls(Grammar.empty(), functions, f -> ForcedCalls.jsonObject(f, "parameters"), "; ",
        Grammar.empty(), parallel);
  }

  @Override
  public void read(TextCursor in, Section section, List<Tool> tools) {
    boolean strict = !in.consume(PYTHON_TAG);
    while (true) {
      in.skipWhitespace();
      JsonCalls.object(in, section, strict);
      int end = in.pos();
      in.skipWhitespace();
      if (!in.consume(";")) {
        in.reset(end);
        return;
      }
    }
  }
}
