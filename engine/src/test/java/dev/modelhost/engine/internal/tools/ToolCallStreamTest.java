package dev.modelhost.engine.internal.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.api.Json;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Every format on answers shaped as its model family writes them (fixtures written after each
 * format's documentation and chat template): whole, and streamed in random small pieces.
 */
class ToolCallStreamTest {

  static final List<Tool> TOOLS = List.of(
      Tool.function("get_weather", "Weather of a city", Json.mapper().readTree("""
          {"type": "object", "properties": {
            "city": {"type": "string"}, "days": {"type": "integer"}, "metric": {"type": "boolean"},
            "ratio": {"type": "number"}, "filters": {"type": "object"}, "tags": {"type": "array"},
            "note": {"type": ["string", "null"]}}}""")),
      Tool.function("get_time", "Time in a zone", Json.mapper().readTree("""
          {"type": "object", "properties": {"zone": {"type": "string"}}}""")));

  /** One fixture: the answer, the content expected, the calls expected as "name" then arguments JSON. */
  record Case(String format, String answer, @Nullable String content, List<String> calls) {
    Case(String format, String answer, @Nullable String content, String... calls) {
      this(format, answer, content, List.of(calls));
    }

    @Override
    public String toString() {
      return format + ": " + answer.replace("\n", "\\n");
    }
  }

  static Stream<Arguments> cases() {
    String weather = "{\"city\": \"Paris\", \"days\": 2}";
    String begin = "<｜tool▁calls▁begin｜>";
    String end = "<｜tool▁calls▁end｜>";
    String call = "<｜tool▁call▁begin｜>";
    String callEnd = "<｜tool▁call▁end｜>";
    String sep = "<｜tool▁sep｜>";
    return Stream.of(
        // hermes
        new Case("hermes", "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": " + weather + "}\n</tool_call>", null,
            "get_weather", weather),
        new Case("hermes", "Let me check both.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n"
            + "</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": \"CET\"}}\n</tool_call>",
            "Let me check both.", "get_weather", "{\"city\": \"Paris\"}", "get_time", "{\"zone\": \"CET\"}"),
        new Case("hermes", "<tool_call>{\"name\": \"get_time\", \"arguments\": \"{\\\"zone\\\": \\\"CET\\\"}\"}</tool_call>", null,
            "get_time", "{\"zone\": \"CET\"}"),
        new Case("hermes", "<tool_call>{\"name\": \"now\"}</tool_call>", null, "now", "{}"),
        new Case("hermes", "<tool_call>{\"arguments\": {\"q\": \"a}\\\"<tool_call>b\"}, \"name\": \"search\"}</tool_call>", null,
            "search", "{\"q\": \"a}\\\"<tool_call>b\"}"),
        new Case("hermes", "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": \"UTC\"}}", null,
            "get_time", "{\"zone\": \"UTC\"}"),
        new Case("hermes", "<tool_call>{\"name\": \"a\", \"arguments\": {</tool_call>",
            "<tool_call>{\"name\": \"a\", \"arguments\": {</tool_call>"),
        new Case("hermes", "Sure.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Par",
            "Sure.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Par"),
        new Case("hermes", "<tool_call>[1, 2]</tool_call>", "<tool_call>[1, 2]</tool_call>"),
        new Case("hermes", "<tool_call>{\"name\": \"f\", \"arguments\": {\"n\": 01}}</tool_call>",
            "<tool_call>{\"name\": \"f\", \"arguments\": {\"n\": 01}}</tool_call>"),
        new Case("hermes", "<tool_call>{\"name\": \"f\", \"arguments\": {\"s\": \"\\x\"}}</tool_call>",
            "<tool_call>{\"name\": \"f\", \"arguments\": {\"s\": \"\\x\"}}</tool_call>"),
        new Case("hermes", "<tool_call>{\"name\": \"f\", \"arguments\": {\"s\": \"Z\u00fcrich \\u00e9\\t\\\"q\\\"\", "
            + "\"n\": -1.5E+2, \"o\": {\"l\": [true, false, null, {}]}}}</tool_call>", null,
            "f", "{\"s\": \"Z\u00fcrich \\u00e9\\t\\\"q\\\"\", \"n\": -1.5E+2, \"o\": {\"l\": [true, false, null, {}]}}"),
        new Case("hermes", "  It is sunny.  ", "  It is sunny.  "),
        new Case("hermes", " \n ", null),
        new Case("hermes", "a < b, so <tool", "a < b, so <tool"),
        new Case("hermes", "<tool_call>{\"name\": \"now\", \"arguments\": {}}</tool_call>\n\nDone.", "Done.", "now", "{}"),
        // llama3_json
        new Case("llama3_json", "{\"name\": \"get_weather\", \"parameters\": " + weather + "}", null, "get_weather", weather),
        new Case("llama3_json", "<|python_tag|>{\"name\": \"get_time\", \"arguments\": {\"zone\": \"CET\"}}", null,
            "get_time", "{\"zone\": \"CET\"}"),
        new Case("llama3_json", " {\"name\": \"get_time\", \"parameters\": {\"zone\": \"CET\"}}; {\"name\": \"now\", \"parameters\": {}}",
            null, "get_time", "{\"zone\": \"CET\"}", "now", "{}"),
        new Case("llama3_json", "{\"type\": \"function\", \"name\": \"tag\", \"parameters\": {\"tags\": [1, 2.5e3, -0, null]}}", null,
            "tag", "{\"tags\": [1, 2.5e3, -0, null]}"),
        new Case("llama3_json", "{\"city\": \"Paris\", \"temperature\": 21}", "{\"city\": \"Paris\", \"temperature\": 21}"),
        new Case("llama3_json", "{\"name\": \"Ada\", \"born\": 1815}", "{\"name\": \"Ada\", \"born\": 1815}"),
        new Case("llama3_json", "Use {\"name\": \"x\", \"parameters\": {}}", "Use {\"name\": \"x\", \"parameters\": {}}"),
        new Case("llama3_json", "{\"name\": \"get_weather\", \"parameters\": {\"city\": ",
            "{\"name\": \"get_weather\", \"parameters\": {\"city\": "),
        // mistral
        new Case("mistral", "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}, "
            + "{\"name\": \"get_time\", \"arguments\": {\"zone\": \"CET\"}}]", null,
            "get_weather", "{\"city\": \"Paris\"}", "get_time", "{\"zone\": \"CET\"}"),
        new Case("mistral", "[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Paris\"}[TOOL_CALLS]get_time[ARGS]{\"zone\": \"CET\"}", null,
            "get_weather", "{\"city\": \"Paris\"}", "get_time", "{\"zone\": \"CET\"}"),
        new Case("mistral", "[TOOL_CALLS]get_weather{\"city\": \"Paris\"}", null, "get_weather", "{\"city\": \"Paris\"}"),
        new Case("mistral", "[TOOL_CALLS]get_weather[CALL_ID]a1b2c3d4e[ARGS]{\"city\": \"Paris\"}", null,
            "get_weather", "{\"city\": \"Paris\"}"),
        new Case("mistral", "I will look it up.[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Paris\"}", "I will look it up.",
            "get_weather", "{\"city\": \"Paris\"}"),
        new Case("mistral", "[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Pa", "[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Pa"),
        new Case("mistral", "[TOOL_CALLS][{\"name\": 3}]", "[TOOL_CALLS][{\"name\": 3}]"),
        new Case("mistral", "[TOOL_CALLS][{\"name\": \"now\", \"arguments\": {}}, {\"name\": \"get_time\", \"arguments\": {\"zo",
            "{\"name\": \"get_time\", \"arguments\": {\"zo", "now", "{}"),
        // deepseek_v3
        new Case("deepseek_v3", begin + call + "function" + sep + "get_weather\n```json\n" + weather + "\n```" + callEnd + end, null,
            "get_weather", weather),
        new Case("deepseek_v3", "Checking.\n\n" + begin + call + "function" + sep + "get_weather\n```json\n{\"city\": \"Paris\"}\n```"
            + callEnd + "\n" + call + "function" + sep + "get_time\n```json\n{\"zone\": \"CET\"}\n```" + callEnd + end, "Checking.",
            "get_weather", "{\"city\": \"Paris\"}", "get_time", "{\"zone\": \"CET\"}"),
        new Case("deepseek_v3", begin + call + "get_weather" + sep + "{\"city\": \"Paris\"}" + callEnd + call + "get_time" + sep
            + "{\"zone\": \"CET\"}" + callEnd + end, null,
            "get_weather", "{\"city\": \"Paris\"}", "get_time", "{\"zone\": \"CET\"}"),
        new Case("deepseek_v3", begin + call + "now" + sep + "{}" + callEnd, null, "now", "{}"),
        new Case("deepseek_v3", begin + call + "get_weather" + sep + "{\"city\"", begin + call + "get_weather" + sep + "{\"city\""),
        new Case("deepseek_v3", begin + call + "function" + sep + "get_weather\n{\"city\": \"Paris\"}" + callEnd + end,
            begin + call + "function" + sep + "get_weather\n{\"city\": \"Paris\"}" + callEnd + end),
        // phi4_mini
        new Case("phi4_mini", "<|tool_call|>[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]<|/tool_call|>", null,
            "get_weather", "{\"city\": \"Paris\"}"),
        new Case("phi4_mini", "<|tool_call|>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}<|/tool_call|>", null,
            "get_weather", "{\"city\": \"Paris\"}"),
        new Case("phi4_mini", "Both:<|tool_call|>[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}, "
            + "{\"name\": \"get_time\", \"parameters\": {\"zone\": \"CET\"}}]<|/tool_call|>", "Both:",
            "get_weather", "{\"city\": \"Paris\"}", "get_time", "{\"zone\": \"CET\"}"),
        new Case("phi4_mini", "<|tool_call|>[{\"name\": \"get_weather\", \"arguments\": [\"Paris\"]}]<|/tool_call|>",
            "<|tool_call|>[{\"name\": \"get_weather\", \"arguments\": [\"Paris\"]}]<|/tool_call|>"),
        // granite
        new Case("granite", "<|tool_call|>[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]", null,
            "get_weather", "{\"city\": \"Paris\"}"),
        new Case("granite", "<|tool_call|>[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}, "
            + "{\"name\": \"get_time\", \"arguments\": {\"zone\": \"CET\"}}]", null,
            "get_weather", "{\"city\": \"Paris\"}", "get_time", "{\"zone\": \"CET\"}"),
        new Case("granite", "<|tool_call|>[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}",
            "<|tool_call|>[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}"),
        // qwen3_coder
        new Case("qwen3_coder", "<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n"
            + "<parameter=days>\n3\n</parameter>\n</function>\n</tool_call>", null, "get_weather", "{\"city\": \"Paris\", \"days\": 3}"),
        new Case("qwen3_coder", "<tool_call>\n<function=get_weather>\n<parameter=city>\n123\n</parameter>\n"
            + "<parameter=days>\nthree\n</parameter>\n<parameter=metric>\nTrue\n</parameter>\n<parameter=ratio>\n0.5\n</parameter>\n"
            + "<parameter=filters>\n{\"a\": 1}\n</parameter>\n<parameter=tags>\n[\"x\", 2]\n</parameter>\n"
            + "<parameter=note>\nnull\n</parameter>\n</function>\n</tool_call>", null, "get_weather",
            "{\"city\": \"123\", \"days\": \"three\", \"metric\": true, \"ratio\": 0.5, \"filters\": {\"a\": 1}, \"tags\": [\"x\", 2],"
                + " \"note\": \"null\"}"),
        new Case("qwen3_coder", "Two calls.\n<tool_call>\n<function=get_time>\n<parameter=zone>\nCET\n</parameter>\n</function>\n"
            + "</tool_call>\n<tool_call>\n<function=lookup>\n<parameter=text>\nline one\n  line \"two\"\n</parameter>\n"
            + "<parameter=count>\n2\n</parameter>\n</function>\n</tool_call>", "Two calls.",
            "get_time", "{\"zone\": \"CET\"}", "lookup", "{\"text\": \"line one\\n  line \\\"two\\\"\", \"count\": \"2\"}"),
        new Case("qwen3_coder", "<tool_call>\n<function=now>\n</function>\n</tool_call>", null, "now", "{}"),
        new Case("qwen3_coder", "<tool_call>\n<function=get_weather>\n<parameter=city>\nPar",
            "<tool_call>\n<function=get_weather>\n<parameter=city>\nPar"),
        new Case("qwen3_coder", "<tool_call>\n{\"name\": \"get_weather\"}\n</tool_call>", "<tool_call>\n{\"name\": \"get_weather\"}\n</tool_call>"))
        .map(Arguments::of);
  }

  private static ToolFormat format(String name) {
    ToolFormat format = ToolFormats.named(name);
    assertThat(format).as(name).isNotNull();
    return format;
  }

  @ParameterizedTest
  @MethodSource("cases")
  void wholeAnswersSplitIntoContentAndCalls(Case c) {
    ToolCallStream.Parsed parsed = format(c.format()).parse(c.answer(), TOOLS);
    assertThat(parsed.content()).isEqualTo(c.content());
    assertThat(parsed.calls()).hasSize(c.calls().size() / 2);
    for (int i = 0; i < parsed.calls().size(); i++) {
      ToolCall call = parsed.calls().get(i);
      assertThat(call.index()).isEqualTo(i);
      assertThat(call.id()).matches("call_[A-Za-z0-9]{24}");
      assertThat(call.type()).isEqualTo("function");
      assertThat(call.function().name()).isEqualTo(c.calls().get(2 * i));
      // Arguments pass through as written: JSON objects whole, qwen3_coder's values one by one.
      assertThat(call.function().arguments()).isEqualTo(c.calls().get(2 * i + 1));
      assertThat(json(call.function().arguments())).isNotNull();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void answersStreamedInRandomPiecesGiveWhatTheWholeAnswerGives(Case c) {
    ToolFormat format = format(c.format());
    ToolCallStream.Parsed whole = format.parse(c.answer(), TOOLS);
    for (int seed = 0; seed < 30; seed++) {
      Random random = new Random(seed);
      ToolCallStream stream = new ToolCallStream(format, TOOLS, false);
      StringBuilder content = new StringBuilder();
      List<ToolCall> fragments = new ArrayList<>();
      int at = 0;
      while (at < c.answer().length()) {
        int to = Math.min(c.answer().length(), at + 1 + random.nextInt(seed % 3 == 0 ? 2 : 6));
        ToolCallStream.Step step = stream.accept(c.answer().substring(at, to));
        content.append(step.content());
        fragments.addAll(step.calls());
        at = to;
      }
      ToolCallStream.Step last = stream.finish("");
      content.append(last.content());
      fragments.addAll(last.calls());
      assertThat(content.isEmpty() ? null : content.toString()).as("seed " + seed).isEqualTo(whole.content());
      assertThat(stream.calledTools()).isEqualTo(!whole.calls().isEmpty());
      Map<Integer, ToolCall> calls = merge(fragments);
      // A call cut off or malformed after its name went out stays in the stream; whole calls are the same.
      assertThat(calls.size()).isGreaterThanOrEqualTo(whole.calls().size());
      for (ToolCall expected : whole.calls()) {
        ToolCall streamed = calls.get(expected.index());
        assertThat(streamed.function()).as("seed " + seed).isEqualTo(expected.function());
      }
    }
  }

  /** Checks OpenAI's fragment shapes while merging them by index. */
  private static Map<Integer, ToolCall> merge(List<ToolCall> fragments) {
    Map<Integer, ToolCall> calls = new LinkedHashMap<>();
    for (ToolCall fragment : fragments) {
      ToolCall before = calls.get(fragment.index());
      if (before == null) {
        assertThat(fragment.index()).isEqualTo(calls.size());
        assertThat(fragment.id()).matches("call_[A-Za-z0-9]{24}");
        assertThat(fragment.type()).isEqualTo("function");
        assertThat(fragment.function().name()).isNotEmpty();
        assertThat(fragment.function().arguments()).isEmpty();
        calls.put(fragment.index(), fragment);
      } else {
        assertThat(fragment.id()).isNull();
        assertThat(fragment.type()).isNull();
        assertThat(fragment.function().name()).isNull();
        assertThat(fragment.function().arguments()).isNotEmpty();
        calls.put(fragment.index(), new ToolCall(before.index(), before.id(), before.type(), new ToolCall.FunctionCall(
            before.function().name(), before.function().arguments() + fragment.function().arguments())));
      }
    }
    return calls;
  }

  private static JsonNode json(String text) {
    assertThat(JsonText.isObject(text)).as("valid JSON object: " + text).isTrue();
    return Json.mapper().readTree(text);
  }

  private static List<String> arguments(ToolCallStream.Step step) {
    return step.calls().stream().map(c -> c.function().arguments()).toList();
  }

  @Test
  void jsonArgumentsStreamAsTheyAreWritten() {
    ToolCallStream stream = new ToolCallStream(format("hermes"), TOOLS, false);
    assertThat(stream.accept("Checking <tool").content()).isEqualTo("Checking");
    assertThat(stream.accept("_call>\n{\"name\": \"get_wea").calls()).isEmpty();
    ToolCallStream.Step named = stream.accept("ther\", \"arguments\": {\"ci");
    assertThat(named.content()).isEmpty();
    assertThat(named.calls().get(0).function()).isEqualTo(new ToolCall.FunctionCall("get_weather", ""));
    assertThat(arguments(named)).containsExactly("", "{\"ci");
    assertThat(arguments(stream.accept("ty\": \"Pa"))).containsExactly("ty\": \"Pa");
    assertThat(arguments(stream.accept("ris\"}}\n</tool"))).containsExactly("ris\"}");
    assertThat(stream.calledTools()).isFalse();
    ToolCallStream.Step last = stream.accept("_call>\n");
    assertThat(last.content()).isEmpty();
    assertThat(last.calls()).isEmpty();
    assertThat(stream.calledTools()).isTrue();
    assertThat(stream.finish("").content()).isEmpty();
  }

  @Test
  void heldCallsAreSentOnlyOnceWhole() {
    ToolCallStream stream = new ToolCallStream(format("hermes"), TOOLS, true);
    assertThat(stream.accept("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"ci").calls()).isEmpty();
    assertThat(stream.accept("ty\": \"Paris\"").calls()).isEmpty();
    ToolCallStream.Step whole = stream.accept("}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\"");
    assertThat(whole.calls().get(0).function()).isEqualTo(new ToolCall.FunctionCall("get_weather", ""));
    assertThat(arguments(whole)).containsExactly("", "{\"city\": \"Paris\"}");
    ToolCallStream.Step cut = stream.finish(", \"arguments\": {\"zone\": \"C");
    assertThat(cut.calls()).isEmpty();
    assertThat(cut.content()).isEqualTo("<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": \"C");
    assertThat(stream.calledTools()).isTrue();
  }

  @Test
  void aHeldCallCutOffIsContentAndNoCall() {
    String answer = "[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Par";
    ToolCallStream held = new ToolCallStream(format("mistral"), TOOLS, true);
    StringBuilder content = new StringBuilder();
    for (int i = 0; i < answer.length(); i += 3) {
      ToolCallStream.Step step = held.accept(answer.substring(i, Math.min(answer.length(), i + 3)));
      assertThat(step.calls()).isEmpty();
      content.append(step.content());
    }
    ToolCallStream.Step last = held.finish("");
    assertThat(last.calls()).isEmpty();
    assertThat(content.append(last.content()).toString()).isEqualTo(answer);
    assertThat(held.calledTools()).isFalse();
    // Streamed, the call's first fragment has gone out before the answer was cut off.
    ToolCallStream streamed = new ToolCallStream(format("mistral"), TOOLS, false);
    assertThat(streamed.accept(answer).calls()).isNotEmpty();
  }

  @Test
  void qwen3CoderArgumentsGrowOneParameterAtATime() {
    ToolCallStream stream = new ToolCallStream(format("qwen3_coder"), TOOLS, false);
    assertThat(arguments(stream.accept("<tool_call>\n<function=get_weather>\n"))).containsExactly("", "{");
    assertThat(stream.accept("<parameter=days>\n1").calls()).isEmpty();
    assertThat(arguments(stream.accept("4\n</parameter>\n"))).containsExactly("\"days\": 14");
    assertThat(arguments(stream.accept("<parameter=city>\nParis\n</parameter>\n</function>")))
        .containsExactly(", \"city\": \"Paris\"}");
    assertThat(stream.finish("\n</tool_call>").calls()).isEmpty();
    assertThat(stream.calledTools()).isTrue();
  }

  @Test
  void bareJsonIsHeldUntilItIsSurelyACallOrSurelyNot() {
    ToolCallStream call = new ToolCallStream(format("llama3_json"), TOOLS, false);
    ToolCallStream.Step named = call.accept("{\"name\": \"get_time\"");
    assertThat(named.content()).isEmpty();
    assertThat(named.calls()).isEmpty();
    assertThat(arguments(call.accept(", \"parameters\": {"))).containsExactly("", "{");
    ToolCallStream answer = new ToolCallStream(format("llama3_json"), TOOLS, false);
    assertThat(answer.accept("{\"cit").content()).isEmpty();
    assertThat(answer.accept("y\": ").content()).isEqualTo("{\"city\":");
  }

  @Test
  void callCutOffAfterItsNameIsGivenBackAsContentThoughItsFragmentsWentOut() {
    ToolCallStream stream = new ToolCallStream(format("mistral"), TOOLS, false);
    assertThat(arguments(stream.accept("[TOOL_CALLS]get_time[ARGS]{\"zone\": \"C"))).containsExactly("", "{\"zone\": \"C");
    ToolCallStream.Step last = stream.finish("");
    assertThat(last.content()).isEqualTo("[TOOL_CALLS]get_time[ARGS]{\"zone\": \"C");
    assertThat(last.calls()).isEmpty();
    assertThat(stream.calledTools()).isFalse();
  }

  @Test
  void textThatMayBeginAMarkerIsHeldUntilKnown() {
    ToolCallStream stream = new ToolCallStream(format("deepseek_v3"), TOOLS, false);
    assertThat(stream.accept("x <｜tool").content()).isEqualTo("x");
    assertThat(stream.accept("s").content()).isEqualTo(" <｜tools");
  }
}
