package dev.modelhost.engine.internal.tools;

import dev.modelhost.api.Json;
import dev.modelhost.api.Tool;
import dev.modelhost.engine.internal.grammar.Grammar;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * {@code qwen3_coder} (Qwen3-Coder, Qwen3.5):
 * {@code <tool_call>\n<function=NAME>\n<parameter=P>\nVALUE\n</parameter>\n</function>\n</tool_call>}.
 * Values are bare text; each becomes the JSON type that the function's schema gives its parameter
 * (a string stays a string), so the arguments object grows one whole parameter at a time. Forced
 * calls: {@link Qwen3CoderGrammar}, one block per call, blocks separated by a newline.
 */
final class Qwen3CoderFormat implements ToolFormat {

  static final Qwen3CoderFormat INSTANCE = new Qwen3CoderFormat();
  private static final String OPEN = "<tool_call>";
  private static final String CLOSE = "</tool_call>";

  private Qwen3CoderFormat() {}

  @Override
  public String name() {
    return "qwen3_coder";
  }

  @Override
  public List<String> markers() {
    return List.of(OPEN, CLOSE);
  }

  @Override
  public List<String> openers() {
    return List.of(OPEN);
  }

  @Override
  public Grammar forcedCalls(List<ForcedFunction> functions, boolean parallel) {
    return ForcedCalls.calls(Grammar.empty(), functions, Qwen3CoderGrammar::call, "\n", Grammar.empty(), parallel);
  }

  @Override
  public void read(TextCursor in, Section section, List<Tool> tools) {
    in.expect(OPEN);
    in.skipWhitespace();
    Section.Call call = section.begin(in.pos());
    in.expect("<function=");
    String name = in.until(">").strip();
    if (name.isEmpty() || name.contains("<")) {
      throw TextCursor.MISMATCH;
    }
    call.name = name;
    JsonNode properties = properties(tools, name);
    StringBuilder arguments = new StringBuilder("{");
    call.arguments = arguments.toString();
    while (true) {
      in.skipWhitespace();
      if (in.consume("</function>")) {
        break;
      }
      in.expect("<parameter=");
      String parameter = in.until(">").strip();
      String value = trimNewline(in.until("</parameter>"));
      if (arguments.length() > 1) {
        arguments.append(", ");
      }
      arguments.append(Json.mapper().writeValueAsString(parameter)).append(": ")
          .append(typed(value, properties.path(parameter).path("type")));
      call.arguments = arguments.toString();
    }
    call.arguments = arguments.append('}').toString();
    in.skipWhitespace();
    if (!in.atEnd()) {
      in.expect(CLOSE);
    }
    call.complete(in.pos());
  }

  private static JsonNode properties(List<Tool> tools, String name) {
    for (Tool tool : tools) {
      if (tool.function() != null && name.equals(tool.function().name()) && tool.function().parameters() != null) {
        return tool.function().parameters().path("properties");
      }
    }
    return MissingNode.getInstance();
  }

  /** The value without the one newline the format puts on each side of it. */
  private static String trimNewline(String value) {
    String out = value.startsWith("\n") ? value.substring(1) : value;
    return out.endsWith("\n") ? out.substring(0, out.length() - 1) : out;
  }

  /**
   * The value as JSON of the schema's type, as the model wrote it; text that is not of that type
   * stays a string.
   */
  static String typed(String value, JsonNode type) {
    String name = typeName(type);
    String text = value.strip();
    if (name.equals("string")) {
      return Json.mapper().writeValueAsString(value);
    }
    String json = name.equals("boolean") ? text.toLowerCase(Locale.ROOT) : text;
    JsonNode node = parse(json);
    boolean fits = node != null && switch (name) {
      case "integer" -> node.isIntegralNumber();
      case "number" -> node.isNumber();
      case "boolean" -> node.isBoolean();
      case "object" -> node.isObject();
      case "array" -> node.isArray();
      default -> true;
    };
    if (fits || (node != null && node.isNull())) {
      // Valid JSON of the right type: passed on as the model wrote it.
      return json;
    }
    return Json.mapper().writeValueAsString(value);
  }

  /** A schema's {@code type}: the first that is not {@code null} of a list; string when unstated. */
  static String typeName(JsonNode type) {
    if (type.isArray()) {
      for (JsonNode each : type) {
        if (each.isString() && !each.asString().equals("null")) {
          return each.asString();
        }
      }
    }
    return type.isString() ? type.asString() : "string";
  }

  private static @Nullable JsonNode parse(String text) {
    if (!JsonText.isValue(text)) {
      return null;
    }
    try {
      return Json.mapper().readTree(text);
    } catch (JacksonException e) {
      return null;
    }
  }
}
