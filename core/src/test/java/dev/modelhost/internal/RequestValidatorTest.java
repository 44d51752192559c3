package dev.modelhost.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.api.ContentPart;
import dev.modelhost.api.Json;
import dev.modelhost.api.MessageContent;
import dev.modelhost.api.Prompt;
import dev.modelhost.api.ResponseFormat;
import dev.modelhost.api.StopSequences;
import dev.modelhost.api.StreamOptions;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolCall;
import dev.modelhost.api.ToolChoice;
import dev.modelhost.exception.InvalidRequestException;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestValidatorTest {

  private static final int MAX_CHOICES = 8;

  private static ChatCompletionRequest.Builder valid() {
    return ChatCompletionRequest.builder("team/chat").addMessage(ChatMessage.user("Hello"));
  }

  private static Arguments bad(String param, String code, UnaryOperator<ChatCompletionRequest.Builder> change) {
    return Arguments.of(param, code, change);
  }

  private static ChatMessage message(String role, String text) {
    return new ChatMessage(role, MessageContent.of(text), null, null, null);
  }

  private static Stream<Arguments> badChatRequests() {
    ToolCall call = ToolCall.function("call_1", "f", "{}");
    return Stream.of(
        bad("model", "invalid_value", b -> b.model(" ")),
        bad("messages", "empty_array", b -> b.messages(List.of())),
        bad("messages[0].role", "invalid_value", b -> b.messages(List.of(message("robot", "hi")))),
        bad("messages[1].role", "missing_required_parameter",
            b -> b.addMessage(new ChatMessage(null, MessageContent.of("x"), null, null, null))),
        bad("messages[0].content", "missing_required_parameter",
            b -> b.messages(List.of(new ChatMessage("user", null, null, null, null)))),
        bad("messages[0].content", "empty_array", b -> b.messages(List.of(new ChatMessage("user",
            MessageContent.ofParts(List.of()), null, null, null)))),
        bad("messages[0].content[0].type", "invalid_value", b -> b.messages(List.of(new ChatMessage("user",
            MessageContent.ofParts(List.of(new ContentPart("video", null, null, null, null, null))), null, null, null)))),
        bad("messages[0].content[0].image_url", "missing_required_parameter", b -> b.messages(List.of(new ChatMessage(
            "user", MessageContent.ofParts(List.of(new ContentPart("image_url", null, null, null, null, null))),
            null, null, null)))),
        bad("messages[0].content[0].image_url.url", "missing_required_parameter", b -> b.messages(List.of(
            new ChatMessage("user", MessageContent.ofParts(List.of(new ContentPart("image_url", null,
                new ContentPart.ImageUrl(null, "low"), null, null, null))), null, null, null)))),
        bad("messages[0].content[0].input_audio.format", "missing_required_parameter", b -> b.messages(List.of(
            new ChatMessage("user", MessageContent.ofParts(List.of(new ContentPart("input_audio", null, null,
                new ContentPart.InputAudio("UklGR", null), null, null))), null, null, null)))),
        bad("messages[0].content[0].text", "missing_required_parameter", b -> b.messages(List.of(new ChatMessage("user",
            MessageContent.ofParts(List.of(new ContentPart("text", null, null, null, null, null))), null, null, null)))),
        bad("messages[2].tool_call_id", "missing_required_parameter", b -> b
            .addMessage(ChatMessage.assistantToolCalls(List.of(call)))
            .addMessage(new ChatMessage("tool", MessageContent.of("42"), null, null, null))),
        bad("messages[1].role", "invalid_value", b -> b.addMessage(ChatMessage.tool("call_1", "42"))),
        bad("messages[0].tool_calls", "invalid_value",
            b -> b.messages(List.of(new ChatMessage("user", MessageContent.of("x"), null, List.of(call), null)))),
        bad("messages[1].tool_calls[0].id", "missing_required_parameter", b -> b.addMessage(
            ChatMessage.assistantToolCalls(List.of(new ToolCall(null, null, "function", call.function()))))),
        bad("temperature", "decimal_above_max_value", b -> b.temperature(2.5)),
        bad("temperature", "decimal_below_min_value", b -> b.temperature(-0.1)),
        bad("temperature", "invalid_value", b -> b.temperature(Double.NaN)),
        bad("top_p", "decimal_above_max_value", b -> b.topP(1.5)),
        bad("top_p", "invalid_value", b -> b.topP(Double.POSITIVE_INFINITY)),
        bad("n", "integer_below_min_value", b -> b.n(0)),
        bad("n", "integer_above_max_value", b -> b.n(MAX_CHOICES + 1)),
        bad("presence_penalty", "decimal_above_max_value", b -> b.presencePenalty(2.1)),
        bad("frequency_penalty", "decimal_below_min_value", b -> b.frequencyPenalty(-3.0)),
        bad("frequency_penalty", "invalid_value", b -> b.frequencyPenalty(Double.NEGATIVE_INFINITY)),
        bad("logit_bias", "invalid_value", b -> b.logitBias(Map.of("abc", 1.0))),
        bad("logit_bias", "invalid_value", b -> b.logitBias(Map.of("-5", 1.0))),
        bad("logit_bias.50256", "decimal_above_max_value", b -> b.logitBias(Map.of("50256", 101.0))),
        bad("logit_bias.50256", "decimal_below_min_value", b -> b.logitBias(Map.of("50256", -100.5))),
        bad("top_logprobs", "integer_above_max_value", b -> b.logprobs(true).topLogprobs(21)),
        bad("top_logprobs", "integer_below_min_value", b -> b.logprobs(true).topLogprobs(-1)),
        bad("top_logprobs", "invalid_value", b -> b.topLogprobs(2)),
        bad("max_tokens", "integer_below_min_value", b -> b.maxTokens(0)),
        bad("max_completion_tokens", "integer_below_min_value", b -> b.maxCompletionTokens(-1)),
        bad("stop", "array_above_max_length", b -> b.stop("a", "b", "c", "d", "e")),
        bad("stream_options", "invalid_value", b -> b.streamOptions(StreamOptions.withUsage())),
        bad("tools[0].function.name", "missing_required_parameter",
            b -> b.tools(List.of(new Tool("function", new Tool.FunctionDefinition(null, null, null, null))))),
        bad("tools[0].function", "missing_required_parameter", b -> b.tools(List.of(new Tool("function", null)))),
        bad("tools[0].type", "invalid_value", b -> b.tools(List.of(new Tool("retrieval", null)))),
        bad("tools[0].function.name", "invalid_value", b -> b.tools(List.of(Tool.function("get weather", null, null)))),
        bad("tools[1].function.name", "invalid_value",
            b -> b.tools(List.of(Tool.function("f", null, null), Tool.function("f", null, null)))),
        bad("tool_choice", "invalid_value",
            b -> b.tools(List.of(Tool.function("f", null, null))).toolChoice(ToolChoice.function("g"))),
        bad("tool_choice", "invalid_value", b -> b.toolChoice(ToolChoice.REQUIRED)),
        bad("response_format.type", "invalid_value", b -> b.responseFormat(new ResponseFormat("xml", null))),
        bad("response_format.type", "missing_required_parameter", b -> b.responseFormat(new ResponseFormat(null, null))),
        bad("response_format.json_schema", "missing_required_parameter",
            b -> b.responseFormat(new ResponseFormat("json_schema", null))),
        bad("response_format.json_schema.name", "missing_required_parameter", b -> b.responseFormat(
            new ResponseFormat("json_schema", new ResponseFormat.JsonSchema(null, null, null, null)))),
        bad("top_k", "integer_below_min_value", b -> b.topK(-2)),
        bad("min_p", "decimal_above_max_value", b -> b.minP(1.5)),
        bad("min_p", "invalid_value", b -> b.minP(Double.NaN)),
        bad("repetition_penalty", "decimal_below_min_value", b -> b.repetitionPenalty(0.0)),
        bad("repetition_penalty", "invalid_value", b -> b.repetitionPenalty(Double.POSITIVE_INFINITY)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badChatRequests")
  void rejectsABadChatFieldWithItsParamAndCode(
      String param, String code, UnaryOperator<ChatCompletionRequest.Builder> change) {
    ChatCompletionRequest request = change.apply(valid()).build();

    assertThatThrownBy(() -> RequestValidator.validateChat(request, MAX_CHOICES, false))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.param()).isEqualTo(param);
          assertThat(e.code()).isEqualTo(code);
          assertThat(e.httpStatus()).isEqualTo(400);
          assertThat(e.type()).isEqualTo("invalid_request_error");
        });
  }

  @Test
  void rejectsAChatRequestWithoutMessagesAsMissing() {
    ChatCompletionRequest request = Json.mapper().readValue("{\"model\":\"team/chat\"}", ChatCompletionRequest.class);

    assertThatThrownBy(() -> RequestValidator.validateChat(request, MAX_CHOICES, false))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.param()).isEqualTo("messages");
          assertThat(e.code()).isEqualTo("missing_required_parameter");
          assertThat(e.getMessage()).isEqualTo("Missing required parameter: 'messages'.");
        });
  }

  @Test
  void rejectsAMissingModel() {
    ChatCompletionRequest request = Json.mapper().readValue(
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", ChatCompletionRequest.class);

    assertThatThrownBy(() -> RequestValidator.validateChat(request, MAX_CHOICES, false))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo("model"));
  }

  @Test
  void writesOpenAisMessagesForRangeErrors() {
    assertThatThrownBy(() -> RequestValidator.validateChat(valid().temperature(3.0).build(), MAX_CHOICES, false))
        .hasMessage("Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.");
    assertThatThrownBy(() -> RequestValidator.validateChat(valid().n(9).build(), MAX_CHOICES, false))
        .hasMessage("Invalid 'n': integer above maximum value. Expected a value <= 8, but got 9 instead.");
    assertThatThrownBy(() -> RequestValidator.validateChat(valid().messages(List.of()).build(), MAX_CHOICES, false))
        .hasMessage("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.");
  }

  @Test
  void acceptsEveryFieldAtItsLimits() {
    ChatCompletionRequest request = valid()
        .addMessage(ChatMessage.assistantToolCalls(List.of(ToolCall.function("call_1", "f", "{}"))))
        .addMessage(ChatMessage.tool("call_1", "42"))
        .addMessage(ChatMessage.developer("Be brief."))
        .temperature(2.0).topP(0.0).n(MAX_CHOICES).stream(true).streamOptions(StreamOptions.withUsage())
        .stop(new StopSequences(List.of("a", "b", "c", "d"))).maxTokens(1).maxCompletionTokens(1)
        .presencePenalty(-2.0).frequencyPenalty(2.0).logitBias(Map.of("0", -100.0, "50256", 100.0))
        .logprobs(true).topLogprobs(20).seed(-1L).user("u")
        .tools(List.of(Tool.function("f", null, Json.mapper().readTree("{\"type\":\"object\"}"))))
        .toolChoice(ToolChoice.function("f")).parallelToolCalls(false).responseFormat(ResponseFormat.JSON_OBJECT)
        .topK(-1).minP(1.0).repetitionPenalty(0.01)
        .build();

    assertThatCode(() -> RequestValidator.validateChat(request, MAX_CHOICES, true)).doesNotThrowAnyException();
    assertThatCode(() -> RequestValidator.validateChat(valid().topK(0).n(2).build(), MAX_CHOICES, true))
        .doesNotThrowAnyException();
  }

  private static CompletionRequest completion(Prompt prompt, Integer maxTokens, Integer n, Integer bestOf,
      Integer logprobs, Boolean echo, String suffix, StreamOptions streamOptions) {
    return new CompletionRequest("team/text", prompt, suffix, maxTokens, null, null, n, bestOf, null, streamOptions,
        logprobs, echo, null, null, null, null, null, null, null, null, null);
  }

  private static Stream<Arguments> badCompletionRequests() {
    Prompt text = Prompt.of("Once upon a time");
    return Stream.of(
        Arguments.of("prompt", "missing_required_parameter", completion(null, null, null, null, null, null, null, null)),
        Arguments.of("max_tokens", "integer_below_min_value", completion(text, 0, null, null, null, null, null, null)),
        Arguments.of("n", "integer_above_max_value", completion(text, null, 9, null, null, null, null, null)),
        Arguments.of("best_of", "invalid_value", completion(text, null, 1, 3, null, null, null, null)),
        Arguments.of("logprobs", "integer_above_max_value", completion(text, null, null, null, 6, null, null, null)),
        Arguments.of("echo", "invalid_value", completion(Prompt.ofTokens(1, 2), null, null, null, null, true, null, null)),
        Arguments.of("suffix", "invalid_value", completion(text, null, null, null, null, null, "end", null)),
        Arguments.of("stream_options", "invalid_value",
            completion(text, null, null, null, null, null, null, StreamOptions.withUsage())));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badCompletionRequests")
  void rejectsABadCompletionFieldWithItsParamAndCode(String param, String code, CompletionRequest request) {
    assertThatThrownBy(() -> RequestValidator.validateCompletion(request, MAX_CHOICES, false))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.param()).isEqualTo(param);
          assertThat(e.code()).isEqualTo(code);
        });
  }

  @Test
  void acceptsAValidCompletionRequest() {
    CompletionRequest request = completion(Prompt.ofStrings(List.of("a", "b")), 1, 2, 2, 5, true, null,
        StreamOptions.withUsage());

    assertThatCode(() -> RequestValidator.validateCompletion(request, MAX_CHOICES, true)).doesNotThrowAnyException();
  }
}
