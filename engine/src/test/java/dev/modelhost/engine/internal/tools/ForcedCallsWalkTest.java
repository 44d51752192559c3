package dev.modelhost.engine.internal.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.api.Json;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolCall;
import dev.modelhost.engine.internal.grammar.ByteAutomaton;
import dev.modelhost.engine.internal.grammar.RandomTexts;
import dev.modelhost.engine.internal.grammar.SchemaValidators;
import dev.modelhost.exception.InvalidRequestException;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Property test: random texts of each format's grammar of forced calls read back, with the same
 * format's parser, into calls only (no content) to offered functions, with arguments valid against
 * the function's schema; exactly one call when parallel calls are off.
 */
class ForcedCallsWalkTest {

  private static final int WALKS = 200;
  private static final int MAX_BUDGET = 400;
  private static final List<Tool> TOOLS = List.of(
      Tool.function("get_weather", null, Json.mapper().readTree("""
          {"type": "object", "properties": {
            "location": {"type": "string", "description": "City and country"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer"}},
           "required": ["location", "unit"], "additionalProperties": false}""")),
      Tool.function("get_time", null, null),
      Tool.function("search", null, Json.mapper().readTree("""
          {"$defs": {"point": {"type": "object", "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                               "required": ["x", "y"], "additionalProperties": false}},
           "type": "object", "properties": {
            "query": {"type": "string", "minLength": 1, "maxLength": 12},
            "exact": {"type": "boolean"},
            "limit": {"type": ["integer", "null"]},
            "filters": {"type": "object", "properties": {"near": {"$ref": "#/$defs/point"},
                                                          "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2}},
                        "required": ["near"], "additionalProperties": false}},
           "required": ["query", "exact"], "additionalProperties": false}""")));

  static Stream<Arguments> formats() {
    return ToolFormats.names().stream().flatMap(name -> Stream.of(Arguments.of(name, false), Arguments.of(name, true)));
  }

  private static List<ForcedFunction> functions(List<Tool> tools) {
    return IntStream.range(0, tools.size()).mapToObj(i -> new ForcedFunction(tools.get(i).function().name(),
        tools.get(i).function().parameters(), "tools[" + i + "].function.parameters")).toList();
  }

  @ParameterizedTest(name = "{0}, parallel {1}")
  @MethodSource("formats")
  void randomForcedCallsReadBackAsValidCalls(String name, boolean parallel) {
    ToolFormat format = Objects.requireNonNull(ToolFormats.named(name));
    ByteAutomaton automaton = ByteAutomaton.compile(format.forcedCalls(functions(TOOLS), parallel));
    RandomTexts texts = new RandomTexts(automaton, (name + parallel).hashCode());
    Random budgets = new Random(name.hashCode());
    int mostCalls = 0;
    for (int i = 0; i < WALKS; i++) {
      String text = texts.next(budgets.nextInt(MAX_BUDGET));
      ToolCallStream.Parsed parsed = format.parse(text, TOOLS);
      assertThat(parsed.content()).as(text).isNull();
      assertThat(parsed.calls()).as(text).isNotEmpty();
      for (ToolCall call : parsed.calls()) {
        Tool tool = TOOLS.stream().filter(t -> t.function().name().equals(call.function().name())).findFirst().orElseThrow();
        JsonNode arguments = Json.mapper().readTree(call.function().arguments());
        JsonNode schema = tool.function().parameters();
        if (schema == null) {
          assertThat(arguments).as(text).isEqualTo(Json.mapper().readTree("{}"));
        } else {
          assertThat(SchemaValidators.of(schema).validate(arguments)).as("%s\n%s", text, arguments).isEmpty();
        }
      }
      mostCalls = Math.max(mostCalls, parsed.calls().size());
    }
    if (parallel) {
      assertThat(mostCalls).isGreaterThan(1);
    } else {
      assertThat(mostCalls).isEqualTo(1);
    }
  }

  @Test
  void theCallIsWrittenAsTheFamilyWritesIt() {
    List<ForcedFunction> time = functions(List.of(TOOLS.get(1)));
    assertThat(accepts("hermes", time, " <tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>")).isTrue();
    assertThat(accepts("mistral", time, "[TOOL_CALLS] [{\"name\": \"get_time\", \"arguments\": {}}]")).isTrue();
    assertThat(accepts("llama3_json", time, "{\"name\": \"get_time\", \"parameters\": {}}; {\"name\": \"get_time\", \"parameters\": {}}"))
        .isTrue();
    assertThat(accepts("qwen3_coder", functions(List.of(TOOLS.get(0))), """
        <tool_call>
        <function=get_weather>
        <parameter=location>
        Paris, France
        </parameter>
        <parameter=unit>
        celsius
        </parameter>
        </function>
        </tool_call>""")).isTrue();
    assertThat(accepts("deepseek_v3", time, "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_time\n"
        + "```json\n{}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>")).isTrue();
    assertThat(accepts("hermes", time, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {}}\n</tool_call>")).isFalse();
  }

  private static boolean accepts(String format, List<ForcedFunction> functions, String text) {
    ByteAutomaton automaton = ByteAutomaton.compile(Objects.requireNonNull(ToolFormats.named(format)).forcedCalls(functions, true));
    int state = automaton.walk(automaton.start(), text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return state != ByteAutomaton.DEAD && automaton.accepting(state);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"anyOf\": [{\"type\": \"object\"}]}",
      "{\"type\": \"array\"}",
      "{\"type\": \"object\", \"properties\": {\"day\": {\"type\": \"string\", \"format\": \"date\"}}}",
      "{\"type\": \"object\", \"properties\": {\"id\": {\"type\": [\"integer\", \"boolean\"]}}}",
      "{\"type\": \"object\", \"properties\": {\"tag\": {\"enum\": [\"<b>\"]}}}",
      "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\"}}, \"required\": [\"b\"]}"})
  void qwen3CoderRefusesSchemasItCannotWrite(String schema) {
    List<ForcedFunction> functions = List.of(new ForcedFunction("f", Json.mapper().readTree(schema), "tools[0].function.parameters"));
    assertThatThrownBy(() -> ToolFormats.named("qwen3_coder").forcedCalls(functions, false))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.param()).isEqualTo("tools[0].function.parameters");
          assertThat(e.code()).isEqualTo("unsupported_value");
        });
  }
}
