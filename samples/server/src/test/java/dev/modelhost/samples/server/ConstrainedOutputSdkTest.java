package dev.modelhost.samples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.chat.completions.StructuredChatCompletion;
import com.openai.models.chat.completions.StructuredChatCompletionCreateParams;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import dev.modelhost.ModelHost;
import dev.modelhost.defaultmodel.DefaultModel;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The OpenAI Java SDK's structured outputs and tool helpers against the project's own model, which
 * was never trained on JSON or tools: at temperature 1.5 its answers still parse into the SDK's
 * classes because the server holds the output to the schema the SDK derived from them.
 */
class ConstrainedOutputSdkTest {

  private static final String MODEL = "acme/fortunes";
  private static final String API_KEY = "mh-server-test-acme-key-0001";

  private static ConfigurableApplicationContext server;
  private static String baseUrl;

  /** The server program on the default model (fortune-llama) with the ONNX backend, on a free port. */
  @BeforeAll
  static void startServer() {
    ServerOptions options = ServerOptions.parse(new String[] {
        "--port=0",
        "--model=" + DefaultModel.FORTUNE_LLAMA.directory(),
        "--service=" + MODEL,
        "--MODELHOST_API_KEY=" + API_KEY,
        "--MODELHOST_ADMIN_KEY=mh-server-test-admin-key-0001"}, ServerOptions::defaultModelDirectory);
    server = ModelhostServer.start(options, new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
    server.getBean(ModelHost.class).awaitRunning(MODEL, Duration.ofMinutes(2));
    baseUrl = "http://127.0.0.1:" + ((WebServerApplicationContext) server).getWebServer().getPort();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  /** A client that waits long enough for a busy machine and never retries, so each request is sent once. */
  private static OpenAIClient client() {
    return OpenAIOkHttpClient.builder().baseUrl(baseUrl + "/v1").apiKey(API_KEY).maxRetries(0)
        .timeout(Duration.ofMinutes(2)).build();
  }

  enum Mood { CALM, BOLD, WISE }

  enum City { PARIS, OSLO, LIMA }

  record Place(City city, @Schema(minimum = "0", maximum = "9") int floor) {}

  /**
   * Bounded where the SDK lets a class say so: a Java {@code int} holds only what its schema
   * bounds, and an unbounded list could run to {@code max_tokens}. The SDK's own check refuses
   * {@code maxLength}, so the one string is left unbounded.
   */
  @JsonClassDescription("A fortune told as data")
  record Fortune(
      @JsonPropertyDescription("One word") String word,
      @Schema(minimum = "0", maximum = "99") int luckyNumber,
      boolean lucky,
      Mood mood,
      Place place,
      @ArraySchema(maxItems = 3) List<Mood> moods) {}

  @JsonClassDescription("The weather forecast of a city")
  record GetWeather(City city, @Schema(minimum = "1", maximum = "7") int days) {}

  private static ChatCompletionCreateParams.Builder ask(String question, long seed) {
    return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(question)
        .temperature(1.5).seed(seed).maxCompletionTokens(400);
  }

  private static String json(Object value) throws Exception {
    return ObjectMappers.jsonMapper().writeValueAsString(value);
  }

  @Test
  void structuredOutputsParseIntoTheRequestedClass() throws Exception {
    OpenAIClient client = client();
    for (long seed = 0; seed < 4; seed++) {
      StructuredChatCompletionCreateParams<Fortune> params = ask("Tell me a fortune.", seed).responseFormat(Fortune.class).build();
      String format = json(params.rawParams().responseFormat().orElseThrow());
      if (seed == 0) {
        System.out.println("response_format sent by the SDK: " + format);
        JsonNode schema = ObjectMappers.jsonMapper().readTree(format).path("json_schema").path("schema");
        assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
        assertThat(schema.path("required")).hasSize(6);
        assertThat(schema.at("/properties/luckyNumber/maximum").asInt()).isEqualTo(99);
        assertThat(schema.at("/properties/moods/maxItems").asInt()).isEqualTo(3);
      }

      StructuredChatCompletion<Fortune> answer = client.chat().completions().create(params);

      StructuredChatCompletion.Choice<Fortune> choice = answer.choices().get(0);
      assertThat(choice.finishReason()).as(choice.message().toString()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
      Fortune fortune = choice.message().content().orElseThrow();
      assertThat(fortune.luckyNumber()).isBetween(0, 99);
      assertThat(fortune.mood()).isNotNull();
      assertThat(fortune.place().city()).isNotNull();
      assertThat(fortune.place().floor()).isBetween(0, 9);
      assertThat(fortune.moods()).hasSizeLessThanOrEqualTo(3).doesNotContainNull();
      assertThat(fortune.word()).isNotNull();
    }
  }

  /** The one call of {@code choice}, checked to be a {@code GetWeather} call with arguments for its class. */
  private static ChatCompletionMessageFunctionToolCall weatherCall(ChatCompletion.Choice choice) {
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    List<ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
    assertThat(calls).hasSize(1);
    ChatCompletionMessageFunctionToolCall call = calls.get(0).asFunction();
    assertThat(call.id()).startsWith("call_");
    assertThat(call.function().name()).isEqualTo("GetWeather");
    GetWeather arguments = call.function().arguments(GetWeather.class);
    assertThat(arguments.city()).isNotNull();
    assertThat(arguments.days()).isBetween(1, 7);
    return call;
  }

  private static ChatCompletionCreateParams.Builder askForTheWeather(long seed) {
    return ask("Weather in Paris?", seed).addTool(GetWeather.class).parallelToolCalls(false);
  }

  @Test
  void aRequiredToolIsCalledWithArgumentsForItsClass() {
    for (long seed = 0; seed < 3; seed++) {
      ChatCompletionCreateParams params = askForTheWeather(seed).toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).build();

      weatherCall(client().chat().completions().create(params).choices().get(0));
    }
  }

  @Test
  void aNamedToolIsTheOneCalled() {
    for (long seed = 0; seed < 3; seed++) {
      ChatCompletionCreateParams params = askForTheWeather(seed)
          .addTool(Fortune.class)
          .toolChoice(ChatCompletionNamedToolChoice.builder()
              .function(ChatCompletionNamedToolChoice.Function.builder().name("GetWeather").build()).build())
          .build();

      weatherCall(client().chat().completions().create(params).choices().get(0));
    }
  }

  /** The assistant's call goes back as the SDK hands it over: {@code content} null beside {@code tool_calls}. */
  @Test
  void aToolResultSentBackIsAnswered() {
    OpenAIClient client = client();
    ChatCompletion.Choice called = client.chat().completions()
        .create(askForTheWeather(1).toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).build()).choices().get(0);
    ChatCompletionMessageFunctionToolCall call = weatherCall(called);

    ChatCompletion answered = client.chat().completions().create(ask("Weather in Paris?", 1)
        .addMessage(called.message())
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("Sunny, 21 degrees").build())
        .build());

    ChatCompletion.Choice answer = answered.choices().get(0);
    assertThat(answer.finishReason()).isIn(ChatCompletion.Choice.FinishReason.STOP, ChatCompletion.Choice.FinishReason.LENGTH);
    assertThat(answer.message().content().orElse("")).isNotBlank();
    assertThat(answer.message().toolCalls().orElse(List.of())).isEmpty();
  }

  /** The streamed call, rebuilt by the SDK from its chunks, is the one answered whole with the same seed. */
  @Test
  void theAccumulatorRebuildsAStreamedToolCall() {
    ChatCompletionCreateParams params = askForTheWeather(2).toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).build();
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    List<ChatCompletionChunk> chunks;
    try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(params)) {
      chunks = stream.stream().map(accumulator::accumulate).toList();
    }

    // OpenAI's shape: the id and name first, then the arguments in pieces.
    assertThat(chunks.stream().filter(chunk -> chunk.choices().stream()
        .anyMatch(choice -> !choice.delta().toolCalls().orElse(List.of()).isEmpty()))).hasSizeGreaterThan(1);
    ChatCompletionMessageFunctionToolCall streamed = weatherCall(accumulator.chatCompletion().choices().get(0));
    ChatCompletionMessageFunctionToolCall whole = weatherCall(client().chat().completions().create(params).choices().get(0));
    assertThat(streamed.function().arguments()).isEqualTo(whole.function().arguments());
  }

  @Test
  void aStreamedJsonObjectAnswerIsOneJsonObject() throws Exception {
    int complete = 0;
    for (long seed = 0; seed < 4; seed++) {
      ChatCompletionCreateParams params = ask("Tell me a fortune.", seed)
          .responseFormat(ResponseFormatJsonObject.builder().build()).maxCompletionTokens(200).build();
      ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
      try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(params)) {
        stream.stream().forEach(accumulator::accumulate);
      }

      ChatCompletion.Choice choice = accumulator.chatCompletion().choices().get(0);
      String content = choice.message().content().orElseThrow();
      // A JSON object has no length bound: one cut at max_tokens is incomplete by design.
      if (choice.finishReason().equals(ChatCompletion.Choice.FinishReason.STOP)) {
        assertThat(ObjectMappers.jsonMapper().readTree(content).isObject()).as(content).isTrue();
        complete++;
      }
    }
    assertThat(complete).isPositive();
  }

  /** {@code not} stands for the keywords constrained decoding refuses rather than ignores. */
  @Test
  void aSchemaKeywordConstrainedDecodingCannotEnforceIsA400NamingTheSchema() {
    ResponseFormatJsonSchema.JsonSchema.Schema schema = ResponseFormatJsonSchema.JsonSchema.Schema.builder()
        .putAdditionalProperty("type", JsonValue.from("object"))
        .putAdditionalProperty("properties", JsonValue.from(Map.of("code", Map.of("type", "string", "not", Map.of("const", "AAA")))))
        .putAdditionalProperty("required", JsonValue.from(List.of("code")))
        .putAdditionalProperty("additionalProperties", JsonValue.from(false))
        .build();
    ChatCompletionCreateParams params = ask("A code?", 0).responseFormat(ResponseFormatJsonSchema.builder()
        .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder().name("code").schema(schema).strict(true).build())
        .build()).build();

    assertThatThrownBy(() -> client().chat().completions().create(params))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(e.code()).contains("unsupported_value");
          assertThat(e.param().orElseThrow()).startsWith("response_format.json_schema.schema");
          assertThat(e.getMessage()).contains("'not'");
        });
  }
}
