package dev.modelhost.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Every sample under {@code openai-samples/} is written after the OpenAI API reference. Reading it
 * into our record and writing it back must give the same JSON tree: the same fields, explicit nulls
 * where OpenAI writes them, nothing where OpenAI leaves a field out.
 */
class OpenAiSamplesRoundTripTest {

  static Stream<Arguments> samples() {
    return Stream.of(
        Arguments.of("chat-request.json", ChatCompletionRequest.class),
        Arguments.of("chat-request-stop-string.json", ChatCompletionRequest.class),
        Arguments.of("chat-completion.json", ChatCompletion.class),
        Arguments.of("chat-completion-tool-calls.json", ChatCompletion.class),
        Arguments.of("chat-completion-logprobs.json", ChatCompletion.class),
        Arguments.of("chunk-role.json", ChatCompletionChunk.class),
        Arguments.of("chunk-content.json", ChatCompletionChunk.class),
        Arguments.of("chunk-content-logprobs.json", ChatCompletionChunk.class),
        Arguments.of("chunk-tool-call-start.json", ChatCompletionChunk.class),
        Arguments.of("chunk-tool-call-fragment.json", ChatCompletionChunk.class),
        Arguments.of("chunk-finish.json", ChatCompletionChunk.class),
        Arguments.of("chunk-usage.json", ChatCompletionChunk.class),
        Arguments.of("completion-request.json", CompletionRequest.class),
        Arguments.of("completion-request-strings.json", CompletionRequest.class),
        Arguments.of("completion-request-tokens.json", CompletionRequest.class),
        Arguments.of("completion-request-token-arrays.json", CompletionRequest.class),
        Arguments.of("text-completion.json", Completion.class),
        Arguments.of("text-completion-logprobs.json", Completion.class),
        Arguments.of("text-completion-chunk.json", Completion.class),
        Arguments.of("text-completion-chunk-usage.json", Completion.class),
        Arguments.of("model-list.json", ModelList.class),
        Arguments.of("error.json", ErrorResponse.class),
        Arguments.of("error-with-param.json", ErrorResponse.class));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void writesBackWhatItReads(String sample, Class<?> type) {
    String json = sample(sample);

    Object value = Json.read(json, type);
    JsonNode written = Json.mapper().readTree(Json.mapper().writeValueAsString(value));

    assertSameJson(sample, written, json);
  }

  /** Events of a stream asked for usage write {@code "usage": null}; written alone, they would not. */
  @Test
  void writesStreamEventsOfAStreamAskedForUsageBackWithUsageNull() {
    String chunk = sample("chunk-content-include-usage.json");
    String event = sample("text-completion-chunk-include-usage.json");

    assertSameJson("chunk", Json.mapper().readTree(
        Json.streamEvent(Json.read(chunk, ChatCompletionChunk.class), true)), chunk);
    assertSameJson("event", Json.mapper().readTree(
        Json.streamEvent(Json.read(event, Completion.class), true)), event);
    assertThat(Json.mapper().writeValueAsString(Json.read(chunk, ChatCompletionChunk.class))).doesNotContain("usage");
  }

  private static void assertSameJson(String what, JsonNode written, String json) {
    JsonNode expected = Json.mapper().readTree(json);
    // JSON numbers have no int/float distinction: 0.7 read as a double and -100 as a double
    // written back as -100.0 are the same number.
    assertThat(written.equals((a, b) -> sameValue(a, b) ? 0 : 1, expected))
        .as("%s written back%nexpected: %s%nactual:   %s", what, expected, written)
        .isTrue();
  }

  @Test
  void writesCreatedAsWholeSeconds() {
    ChatCompletion completion = Json.read(sample("chat-completion.json"), ChatCompletion.class);

    JsonNode written = Json.mapper().valueToTree(completion);

    assertThat(written.get("created").isIntegralNumber()).isTrue();
    assertThat(written.get("created").asLong()).isEqualTo(1741570283L);
  }

  @Test
  void writesFieldsInOpenAiOrder() {
    ChatCompletion completion = Json.read(sample("chat-completion.json"), ChatCompletion.class);

    String written = Json.mapper().writeValueAsString(completion);

    assertThat(written)
        .startsWith("{\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion\","
            + "\"created\":1741570283,\"model\":\"u-8105f7322477/test\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"The image shows");
  }

  @Test
  void readsEveryRequestField() {
    ChatCompletionRequest request = Json.read(sample("chat-request.json"), ChatCompletionRequest.class);

    assertThat(request.messages()).hasSize(6);
    assertThat(request.messages().get(1).text()).isEqualTo("Answer briefly.");
    assertThat(request.messages().get(2).content().parts())
        .extracting(ContentPart::type)
        .containsExactly("text", "image_url", "input_audio", "file", "file");
    assertThat(request.messages().get(3).toolCalls().get(0).function().name()).isEqualTo("get_current_weather");
    assertThat(request.messages().get(4).toolCallId()).isEqualTo("call_abc123");
    assertThat(request.stop().values()).containsExactly("\n\n", "END");
    assertThat(request.toolChoice()).isEqualTo(ToolChoice.function("get_current_weather"));
    assertThat(request.responseFormat().jsonSchema().schema().get("required").size()).isEqualTo(2);
    assertThat(request.logitBias()).containsEntry("50256", -100.0).containsEntry("1734", 2.5);
    assertThat(request.seed()).isEqualTo(1234567890123L);
    assertThat(request.completionTokenLimit()).isEqualTo(200);
    assertThat(request.includeUsageInStream()).isTrue();
  }

  @Test
  void readsEveryPromptForm() {
    assertThat(Json.read(sample("completion-request.json"), CompletionRequest.class).prompt().text(0))
        .isEqualTo("Say this is a test");
    Prompt strings = Json.read(sample("completion-request-strings.json"), CompletionRequest.class).prompt();
    assertThat(strings.size()).isEqualTo(2);
    assertThat(strings.text(1)).isEqualTo("Say this is another test");
    Prompt tokens = Json.read(sample("completion-request-tokens.json"), CompletionRequest.class).prompt();
    assertThat(tokens.size()).isEqualTo(1);
    assertThat(tokens.tokens(0)).containsExactly(50256, 1212, 318, 257, 1332);
    Prompt arrays = Json.read(sample("completion-request-token-arrays.json"), CompletionRequest.class).prompt();
    assertThat(arrays.size()).isEqualTo(2);
    assertThat(arrays.tokens(1)).containsExactly(318, 257, 1332);
  }

  @Test
  void writesStopFromJavaAsAnArray() {
    ChatCompletionRequest request =
        ChatCompletionRequest.builder("m").addMessage(ChatMessage.user("hi")).stop("x").build();

    assertThat(Json.mapper().writeValueAsString(request)).contains("\"stop\":[\"x\"]");
  }

  @Test
  void writesTheFirstChunkWithExplicitNullsAndLaterOnesWithout() {
    ChatCompletionChunk.Delta first = new ChatCompletionChunk.Delta("assistant", null, null, null);
    ChatCompletionChunk.Delta later = new ChatCompletionChunk.Delta(null, "Hi", null, null);
    ChatCompletionChunk.Delta last = new ChatCompletionChunk.Delta(null, null, null, null);

    assertThat(Json.mapper().writeValueAsString(first))
        .isEqualTo("{\"role\":\"assistant\",\"content\":null,\"refusal\":null}");
    assertThat(Json.mapper().writeValueAsString(later)).isEqualTo("{\"content\":\"Hi\"}");
    assertThat(Json.mapper().writeValueAsString(last)).isEqualTo("{}");
  }

  private static boolean sameValue(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return new BigDecimal(a.asString()).compareTo(new BigDecimal(b.asString())) == 0;
    }
    return a.equals(b);
  }

  static String sample(String name) {
    try (InputStream in = OpenAiSamplesRoundTripTest.class.getResourceAsStream("/openai-samples/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
