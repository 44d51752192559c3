package dev.modelhost.backend.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.ModelHost;
import dev.modelhost.ServiceSpec;
import dev.modelhost.api.ChatCompletion;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.Json;
import dev.modelhost.api.ResponseFormat;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolCall;
import dev.modelhost.api.ToolChoice;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.spi.ModelSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Output held to a grammar on the default model, which was never trained on JSON or tools: what it
 * writes is valid only because every token outside the grammar is masked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConstrainedDecodingTest {

  private static final String MODEL = "test/fortunes";
  private ModelHost host;

  @BeforeAll
  void deploy() {
    host = ModelHost.builder().build();
    host.deploy(ServiceSpec.builder("test", "fortunes").backend(OnnxBackendProvider.NAME)
        .source(new ModelSource(DefaultModel.FORTUNE_LLAMA.directory().toString(), Map.of("threads", "1"))).build());
    host.awaitRunning(MODEL, Duration.ofMinutes(2));
  }

  @AfterAll
  void close() {
    host.close();
  }

  private static ChatCompletionRequest.Builder ask(String question, long seed) {
    return ChatCompletionRequest.builder(MODEL).addMessage(ChatMessage.user(question)).temperature(1.5).seed(seed).maxTokens(120);
  }

  @Test
  void jsonObjectAnswersAreOneJsonObject() {
    for (long seed = 0; seed < 8; seed++) {
      ChatCompletion answer = host.chat(ask("Tell me a fortune.", seed).responseFormat(ResponseFormat.JSON_OBJECT).build());
      ChatCompletion.Choice choice = answer.choices().get(0);
      if (choice.finishReason().equals("stop")) {
        assertThat(Json.mapper().readTree(choice.message().content()).isObject()).as(choice.message().content()).isTrue();
      }
    }
  }

  @Test
  void jsonSchemaAnswersFollowTheSchema() {
    JsonNode schema = Json.mapper().readTree("""
        {"type": "object", "properties": {"lucky": {"type": "boolean"}, "number": {"type": "integer"},
         "mood": {"enum": ["calm", "bold", "wise"]}}, "required": ["lucky", "number", "mood"], "additionalProperties": false}
        """);
    for (long seed = 0; seed < 8; seed++) {
      ChatCompletion answer = host.chat(ask("Tell me a fortune.", seed)
          .responseFormat(new ResponseFormat("json_schema", new ResponseFormat.JsonSchema("fortune", null, schema, true))).build());
      ChatCompletion.Choice choice = answer.choices().get(0);
      assertThat(choice.finishReason()).isEqualTo("stop");
      JsonNode json = Json.mapper().readTree(choice.message().content());
      assertThat(json.get("lucky").isBoolean()).isTrue();
      assertThat(json.get("number").isIntegralNumber()).isTrue();
      assertThat(json.get("mood").asString()).isIn("calm", "bold", "wise");
    }
  }

  @Test
  void aRequiredToolIsCalledWithArgumentsForItsSchema() {
    Tool weather = Tool.function("get_weather", "Weather of a city.", Json.mapper().readTree("""
        {"type": "object", "properties": {"city": {"enum": ["Paris", "Oslo"]}, "days": {"type": "integer"}},
         "required": ["city", "days"], "additionalProperties": false}"""));
    Tool time = Tool.function("get_time", "The time.", null);
    for (long seed = 0; seed < 4; seed++) {
      ChatCompletion answer = host.chat(ask("Weather in Paris?", seed).tools(List.of(weather, time))
          .toolChoice(ToolChoice.function("get_weather")).parallelToolCalls(false).build());
      ChatCompletion.Choice choice = answer.choices().get(0);
      assertThat(choice.finishReason()).isEqualTo("tool_calls");
      List<ToolCall> calls = choice.message().toolCalls();
      assertThat(calls).hasSize(1);
      assertThat(calls.get(0).id()).startsWith("call_");
      assertThat(calls.get(0).function().name()).isEqualTo("get_weather");
      JsonNode arguments = Json.mapper().readTree(calls.get(0).function().arguments());
      assertThat(arguments.get("city").asString()).isIn("Paris", "Oslo");
      assertThat(arguments.get("days").isIntegralNumber()).isTrue();
    }
  }
}
