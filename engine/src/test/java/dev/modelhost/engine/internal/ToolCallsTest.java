package dev.modelhost.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.api.ToolCall;
import org.junit.jupiter.api.Test;

class ToolCallsTest {

  @Test
  void parsesOneCallWithoutContent() {
    ToolCalls.Parsed parsed = ToolCalls.parse(
        "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 2}}\n</tool_call>");
    assertThat(parsed.content()).isNull();
    assertThat(parsed.calls()).hasSize(1);
    ToolCall call = parsed.calls().get(0);
    assertThat(call.index()).isZero();
    assertThat(call.type()).isEqualTo("function");
    assertThat(call.id()).matches("call_[A-Za-z0-9]{24}");
    assertThat(call.function().name()).isEqualTo("get_weather");
    assertThat(call.function().arguments()).isEqualTo("{\"city\":\"Paris\",\"days\":2}");
  }

  @Test
  void parsesSeveralCallsAndKeepsTheTextAround() {
    ToolCalls.Parsed parsed = ToolCalls.parse(
        "Let me check.\n<tool_call>{\"name\": \"a\", \"arguments\": {}}</tool_call>\n"
            + "<tool_call>{\"name\": \"b\", \"arguments\": \"{\\\"x\\\": 1}\"}</tool_call>");
    assertThat(parsed.content()).isEqualTo("Let me check.");
    assertThat(parsed.calls()).extracting(c -> c.function().name()).containsExactly("a", "b");
    assertThat(parsed.calls()).extracting(ToolCall::index).containsExactly(0, 1);
    assertThat(parsed.calls().get(1).function().arguments()).isEqualTo("{\"x\": 1}");
    assertThat(parsed.calls().get(0).id()).isNotEqualTo(parsed.calls().get(1).id());
  }

  @Test
  void callWithoutArgumentsGetsEmptyObject() {
    assertThat(ToolCalls.parse("<tool_call>{\"name\": \"now\"}</tool_call>").calls().get(0).function().arguments())
        .isEqualTo("{}");
  }

  @Test
  void callCutOffBeforeItsClosingTagIsStillACallWhenItsJsonIsWhole() {
    ToolCalls.Parsed parsed = ToolCalls.parse("<tool_call>{\"name\": \"now\", \"arguments\": {}}");
    assertThat(parsed.calls()).hasSize(1);
  }

  @Test
  void malformedCallLeavesEverythingAsContent() {
    String text = "<tool_call>{\"name\": \"a\", \"arguments\": {</tool_call>";
    ToolCalls.Parsed parsed = ToolCalls.parse(text);
    assertThat(parsed.calls()).isEmpty();
    assertThat(parsed.content()).isEqualTo(text);
    assertThat(ToolCalls.parse("<tool_call>[1, 2]</tool_call>").calls()).isEmpty();
  }

  @Test
  void textWithoutCallsIsContent() {
    ToolCalls.Parsed parsed = ToolCalls.parse("  It is sunny.  ");
    assertThat(parsed.calls()).isEmpty();
    assertThat(parsed.content()).isEqualTo("It is sunny.");
  }
}
