package dev.modelhost.api;

import static dev.modelhost.api.OpenAiSamplesRoundTripTest.sample;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.openai.core.ObjectMappers;
import com.openai.models.ErrorObject;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.ModelListPageResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The official OpenAI Java client reads what we write, with its own mapper and its own checks
 * ({@code validate()} fails on a missing required field or a wrong constant), and we read what it
 * sends.
 */
class OpenAiJavaSdkCompatibilityTest {

  private static final JsonMapper SDK = ObjectMappers.jsonMapper();

  @Test
  void sdkReadsOurChatCompletionWithToolCallsAndLogprobs() throws Exception {
    ChatCompletion ours = new ChatCompletion(
        "chatcmpl-1",
        ChatCompletion.OBJECT,
        1_700_000_000L,
        "u-8105f7322477/test",
        List.of(
            new ChatCompletion.Choice(
                0,
                new ChatCompletion.AssistantMessage("assistant", "Hi", null, null),
                ChoiceLogprobs.of(List.of(new ChoiceLogprobs.TokenLogprob(
                    "Hi", -0.25, List.of(72, 105),
                    List.of(new ChoiceLogprobs.TopLogprob("Hi", -0.25, List.of(72, 105)),
                        new ChoiceLogprobs.TopLogprob("<eos>", -2.0, null))))),
                "stop"),
            new ChatCompletion.Choice(
                1,
                new ChatCompletion.AssistantMessage(
                    "assistant", null, null, List.of(ToolCall.function("call_1", "get_weather", "{\"city\":\"Oslo\"}"))),
                null,
                "tool_calls")),
        Usage.of(5, 7),
        null);

    var sdk = SDK.readValue(Json.mapper().writeValueAsString(ours),
        com.openai.models.chat.completions.ChatCompletion.class).validate();

    assertThat(sdk.id()).isEqualTo("chatcmpl-1");
    assertThat(sdk.created()).isEqualTo(1_700_000_000L);
    assertThat(sdk.model()).isEqualTo("u-8105f7322477/test");
    assertThat(sdk.choices().get(0).message().content()).contains("Hi");
    assertThat(sdk.choices().get(0).message().refusal()).isEmpty();
    assertThat(sdk.choices().get(0).finishReason().asString()).isEqualTo("stop");
    var tokens = sdk.choices().get(0).logprobs().orElseThrow().content().orElseThrow();
    assertThat(tokens.get(0).bytes()).contains(List.of(72L, 105L));
    assertThat(tokens.get(0).topLogprobs().get(1).bytes()).isEmpty();
    assertThat(sdk.choices().get(1).message().content()).isEmpty();
    var call = sdk.choices().get(1).message().toolCalls().orElseThrow().get(0).asFunction();
    assertThat(call.id()).isEqualTo("call_1");
    assertThat(call.function().name()).isEqualTo("get_weather");
    assertThat(call.function().arguments()).isEqualTo("{\"city\":\"Oslo\"}");
    assertThat(sdk.choices().get(1).finishReason().asString()).isEqualTo("tool_calls");
    assertThat(sdk.usage().orElseThrow().totalTokens()).isEqualTo(12);
  }

  @Test
  void sdkReadsOurStreamFromRoleChunkToUsageChunk() throws Exception {
    String id = "chatcmpl-2";
    String model = "u-8105f7322477/test";
    List<ChatCompletionChunk> stream = List.of(
        chunk(id, model, new ChatCompletionChunk.Delta("assistant", "", null, null), null),
        chunk(id, model, new ChatCompletionChunk.Delta(null, "Hel", null, null), null),
        chunk(id, model, new ChatCompletionChunk.Delta(null, null, null, List.of(
            new ToolCall(0, "call_9", "function", new ToolCall.FunctionCall("lookup", "")))), null),
        chunk(id, model, new ChatCompletionChunk.Delta(null, null, null, List.of(
            new ToolCall(0, null, null, new ToolCall.FunctionCall(null, "{\"q\":1}")))), null),
        chunk(id, model, new ChatCompletionChunk.Delta(null, null, null, null), "tool_calls"),
        new ChatCompletionChunk(id, ChatCompletionChunk.OBJECT, 1_700_000_001L, model, null, List.of(), Usage.of(3, 4)));

    StringBuilder text = new StringBuilder();
    StringBuilder arguments = new StringBuilder();
    String finishReason = null;
    Long totalTokens = null;
    for (ChatCompletionChunk chunk : stream) {
      var sdk = SDK.readValue(Json.streamEvent(chunk, true),
          com.openai.models.chat.completions.ChatCompletionChunk.class).validate();
      assertThat(sdk.id()).isEqualTo(id);
      assertThat(sdk.created()).isEqualTo(1_700_000_001L);
      for (var choice : sdk.choices()) {
        choice.delta().content().ifPresent(text::append);
        choice.delta().toolCalls().ifPresent(calls -> calls.forEach(
            c -> c.function().flatMap(f -> f.arguments()).ifPresent(arguments::append)));
        if (choice.finishReason().isPresent()) {
          finishReason = choice.finishReason().get().asString();
        }
      }
      if (sdk.usage().isPresent()) {
        totalTokens = sdk.usage().get().totalTokens();
      } else {
        assertThat(sdk._usage().isNull()).as("usage: null before the usage chunk").isTrue();
      }
    }

    assertThat(text).hasToString("Hel");
    assertThat(arguments).hasToString("{\"q\":1}");
    assertThat(finishReason).isEqualTo("tool_calls");
    assertThat(totalTokens).isEqualTo(7L);
  }

  @Test
  void sdkReadsOurLegacyCompletionWithLogprobs() throws Exception {
    Completion ours = new Completion(
        "cmpl-1",
        Completion.OBJECT,
        1_700_000_002L,
        "u-8105f7322477/test",
        null,
        List.of(new Completion.Choice(
            "Say hi",
            0,
            new Completion.Logprobs(
                List.of("Say", " hi"),
                List.of(-1.5, -0.5),
                List.of(Map.of("Say", -1.5), Map.of(" hi", -0.5)),
                List.of(0, 3)),
            "length")),
        Usage.of(1, 1));

    var sdk = SDK.readValue(Json.mapper().writeValueAsString(ours),
        com.openai.models.completions.Completion.class).validate();

    assertThat(sdk.choices().get(0).text()).isEqualTo("Say hi");
    assertThat(sdk.choices().get(0).finishReason().asString()).isEqualTo("length");
    var logprobs = sdk.choices().get(0).logprobs().orElseThrow();
    assertThat(logprobs.tokens()).contains(List.of("Say", " hi"));
    assertThat(logprobs.textOffset()).contains(List.of(0L, 3L));
    assertThat(logprobs.topLogprobs().orElseThrow().get(1)._allProperties()).containsKey(" hi");
    assertThat(sdk.usage().orElseThrow().completionTokens()).isEqualTo(1);
  }

  /**
   * With {@code echo} the first prompt token has no log probability, and OpenAI writes null for
   * it. The SDK reads that, but its {@code validate()} rejects the null entry and a streamed
   * {@code finish_reason: null} (its streams skip validation), so these are checked by reading.
   */
  @Test
  void sdkReadsOurEchoedLegacyLogprobsAndLegacyStreamEvents() throws Exception {
    String echoed = Json.mapper().writeValueAsString(
        Json.read(sample("text-completion-logprobs.json"), Completion.class));
    byte[] event = Json.streamEvent(
        Json.read(sample("text-completion-chunk-include-usage.json"), Completion.class), true);

    var sdkEchoed = SDK.readValue(echoed, com.openai.models.completions.Completion.class);
    var sdkEvent = SDK.readValue(event, com.openai.models.completions.Completion.class);

    var logprobs = sdkEchoed.choices().get(0).logprobs().orElseThrow();
    assertThat(logprobs.tokenLogprobs().orElseThrow()).startsWith(null, -4.1);
    assertThat(logprobs.topLogprobs().orElseThrow().get(0)).isNull();
    assertThat(sdkEchoed.choices().get(0).text()).isEqualTo("Say this is a test.");
    assertThat(sdkEvent.choices().get(0).text()).isEqualTo("This");
    assertThat(sdkEvent.choices().get(0)._finishReason().isNull()).isTrue();
    assertThat(sdkEvent.usage()).isEmpty();
    assertThat(sdkEvent._usage().isNull()).isTrue();
  }

  @Test
  void sdkReadsOurModelList() throws Exception {
    ModelList ours = ModelList.of(List.of(ModelList.Model.of("u-8105f7322477/test", 1_700_000_003L, "u-8105f7322477")));

    var sdk = SDK.readValue(Json.mapper().writeValueAsString(ours), ModelListPageResponse.class).validate();

    assertThat(sdk.data()).hasSize(1);
    assertThat(sdk.data().get(0).id()).isEqualTo("u-8105f7322477/test");
    assertThat(sdk.data().get(0).created()).isEqualTo(1_700_000_003L);
    assertThat(sdk.data().get(0).ownedBy()).isEqualTo("u-8105f7322477");
  }

  @Test
  void sdkReadsOurErrorBody() throws Exception {
    String json = Json.mapper().writeValueAsString(
        ErrorResponse.of("Invalid type for 'n': expected an integer.", "invalid_request_error", "n", "invalid_type"));

    var error = SDK.readValue(SDK.readTree(json).get("error").toString(), ErrorObject.class).validate();

    assertThat(error.message()).isEqualTo("Invalid type for 'n': expected an integer.");
    assertThat(error.type()).isEqualTo("invalid_request_error");
    assertThat(error.param()).contains("n");
    assertThat(error.code()).contains("invalid_type");
  }

  static Stream<Arguments> responseSamples() {
    return Stream.of(
        Arguments.of("chat-completion.json", ChatCompletion.class, com.openai.models.chat.completions.ChatCompletion.class),
        Arguments.of("chat-completion-tool-calls.json", ChatCompletion.class, com.openai.models.chat.completions.ChatCompletion.class),
        Arguments.of("chat-completion-logprobs.json", ChatCompletion.class, com.openai.models.chat.completions.ChatCompletion.class),
        Arguments.of("chunk-role.json", ChatCompletionChunk.class, com.openai.models.chat.completions.ChatCompletionChunk.class),
        Arguments.of("chunk-content.json", ChatCompletionChunk.class, com.openai.models.chat.completions.ChatCompletionChunk.class),
        Arguments.of("chunk-content-include-usage.json", ChatCompletionChunk.class, com.openai.models.chat.completions.ChatCompletionChunk.class),
        Arguments.of("chunk-content-logprobs.json", ChatCompletionChunk.class, com.openai.models.chat.completions.ChatCompletionChunk.class),
        Arguments.of("chunk-tool-call-start.json", ChatCompletionChunk.class, com.openai.models.chat.completions.ChatCompletionChunk.class),
        Arguments.of("chunk-tool-call-fragment.json", ChatCompletionChunk.class, com.openai.models.chat.completions.ChatCompletionChunk.class),
        Arguments.of("chunk-finish.json", ChatCompletionChunk.class, com.openai.models.chat.completions.ChatCompletionChunk.class),
        Arguments.of("chunk-usage.json", ChatCompletionChunk.class, com.openai.models.chat.completions.ChatCompletionChunk.class),
        Arguments.of("text-completion.json", Completion.class, com.openai.models.completions.Completion.class),
        Arguments.of("text-completion-chunk-usage.json", Completion.class, com.openai.models.completions.Completion.class),
        Arguments.of("model-list.json", ModelList.class, ModelListPageResponse.class));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("responseSamples")
  void sdkValidatesEverySampleAsWeWriteIt(String sample, Class<?> ours, Class<?> sdkType) throws Exception {
    String written = Json.mapper().writeValueAsString(Json.read(sample(sample), ours));

    Object parsed = SDK.readValue(written, sdkType);

    // validate() checks required fields, nullability and the "object" constants.
    assertThat(parsed.getClass().getMethod("validate").invoke(parsed)).isSameAs(parsed);
  }

  @Test
  void weReadTheChatRequestTheSdkSends() throws Exception {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model("u-8105f7322477/test")
        .addSystemMessage("Be brief.")
        .addUserMessage("Weather in Oslo?")
        .temperature(0.2)
        .maxCompletionTokens(64L)
        .n(1L)
        .stop("END")
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
        .toolChoice(ChatCompletionNamedToolChoice.builder()
            .function(ChatCompletionNamedToolChoice.Function.builder().name("get_weather").build())
            .build())
        .build();

    ChatCompletionRequest ours = Json.read(SDK.writeValueAsString(params._body()), ChatCompletionRequest.class);

    assertThat(ours.model()).isEqualTo("u-8105f7322477/test");
    assertThat(ours.messages()).extracting(ChatMessage::role).containsExactly("system", "user");
    assertThat(ours.messages().get(1).text()).isEqualTo("Weather in Oslo?");
    assertThat(ours.temperature()).isEqualTo(0.2);
    assertThat(ours.completionTokenLimit()).isEqualTo(64);
    assertThat(ours.stop().values()).containsExactly("END");
    assertThat(ours.includeUsageInStream()).isTrue();
    assertThat(ours.toolChoice()).isEqualTo(ToolChoice.function("get_weather"));
  }

  @Test
  void weReadTheLegacyRequestTheSdkSends() throws Exception {
    CompletionCreateParams params = CompletionCreateParams.builder()
        .model("u-8105f7322477/test")
        .promptOfArrayOfTokenArrays(List.of(List.of(1L, 2L), List.of(3L)))
        .maxTokens(5L)
        .echo(true)
        .logprobs(2L)
        .build();

    CompletionRequest ours = Json.read(SDK.writeValueAsString(params._body()), CompletionRequest.class);

    assertThat(ours.prompt().size()).isEqualTo(2);
    assertThat(ours.prompt().tokens(0)).containsExactly(1, 2);
    assertThat(ours.prompt().tokens(1)).containsExactly(3);
    assertThat(ours.maxTokens()).isEqualTo(5);
    assertThat(ours.echo()).isTrue();
    assertThat(ours.logprobs()).isEqualTo(2);
  }

  private static ChatCompletionChunk chunk(String id, String model, ChatCompletionChunk.Delta delta, String finishReason) {
    return new ChatCompletionChunk(id, ChatCompletionChunk.OBJECT, 1_700_000_001L, model, null,
        List.of(new ChatCompletionChunk.ChunkChoice(0, delta, null, finishReason)), null);
  }
}
