package dev.modelhost;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.api.ChatCompletion;
import dev.modelhost.api.ChatCompletionChunk;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.Completion;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.api.Json;
import dev.modelhost.api.Prompt;
import dev.modelhost.api.StreamOptions;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolCall;
import dev.modelhost.api.ToolChoice;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.spi.ReplicaFailureException;
import dev.modelhost.testing.ScriptedBackend;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ResponseShapeTest {

  private static final Instant NOW = Instant.parse("2026-11-22T01:02:03.900Z");
  private static final String MODEL = "u-8105f7322477/test";

  private final ScriptedBackend backend = new ScriptedBackend();
  private final ModelHost host = ModelHost.builder().backend(backend).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();

  @BeforeEach
  void deploy() {
    host.deploy(ServiceSpec.builder("u-8105f7322477", "test").backend(ScriptedBackend.NAME)
        .source(new ModelSource("script", Map.of("reply", "a b c"))).build());
    host.awaitRunning(MODEL, Duration.ofSeconds(5));
  }

  @AfterEach
  void close() {
    host.close();
  }

  private static ChatCompletionRequest.Builder chat() {
    return ChatCompletionRequest.builder(MODEL).addMessage(ChatMessage.user("Say this is a test!"));
  }

  @Test
  void wholeChatAnswerLooksLikeOpenAis() {
    ChatCompletion answer = host.chat(chat().build());

    assertThat(answer.id()).matches("chatcmpl-[A-Za-z0-9]{29}");
    assertThat(answer.object()).isEqualTo("chat.completion");
    assertThat(answer.created()).isEqualTo(NOW.getEpochSecond());
    assertThat(answer.model()).isEqualTo(MODEL);
    ChatCompletion.Choice choice = answer.choices().get(0);
    assertThat(choice.message().role()).isEqualTo("assistant");
    assertThat(choice.message().content()).isEqualTo("a b c");
    assertThat(choice.message().toolCalls()).isNull();
    assertThat(choice.logprobs()).isNull();
    assertThat(choice.finishReason()).isEqualTo("stop");
    assertThat(answer.usage().promptTokens()).isEqualTo(5);
    assertThat(answer.usage().completionTokens()).isEqualTo(3);
    assertThat(answer.usage().totalTokens()).isEqualTo(8);
    assertThat(host.chat(chat().build()).id()).isNotEqualTo(answer.id());
  }

  @Test
  void streamsARoleChunkThenContentThenTheFinishAndNoUsageUnlessAsked() {
    List<ChatCompletionChunk> chunks = read(host.streamChat(chat().build()));

    assertThat(chunks).hasSize(5);
    assertThat(chunks).allSatisfy(c -> {
      assertThat(c.object()).isEqualTo("chat.completion.chunk");
      assertThat(c.id()).isEqualTo(chunks.get(0).id()).startsWith("chatcmpl-");
      assertThat(c.created()).isEqualTo(NOW.getEpochSecond());
      assertThat(c.model()).isEqualTo(MODEL);
      assertThat(c.usage()).isNull();
    });
    assertThat(chunks.get(0).choices().get(0).delta()).isEqualTo(new ChatCompletionChunk.Delta("assistant", "", null, null));
    assertThat(chunks.subList(1, 4)).extracting(c -> c.choices().get(0).delta().content()).containsExactly("a", " b", " c");
    assertThat(chunks.subList(0, 4)).extracting(c -> c.choices().get(0).finishReason()).containsOnlyNulls();
    ChatCompletionChunk.ChunkChoice finish = chunks.get(4).choices().get(0);
    assertThat(finish.delta()).isEqualTo(new ChatCompletionChunk.Delta(null, null, null, null));
    assertThat(finish.finishReason()).isEqualTo("stop");
    assertThat(Json.mapper().writeValueAsString(chunks.get(0))).contains(
        "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
            + "\"logprobs\":null,\"finish_reason\":null}]");
    assertThat(Json.mapper().writeValueAsString(chunks.get(4)))
        .contains("\"delta\":{}", "\"finish_reason\":\"stop\"", "\"logprobs\":null");
  }

  @Test
  void endsTheStreamWithAUsageChunkWithoutChoicesWhenAsked() {
    List<ChatCompletionChunk> chunks =
        read(host.streamChat(chat().stream(true).streamOptions(StreamOptions.withUsage()).build()));

    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage().completionTokens()).isEqualTo(3);
    assertThat(Json.mapper().writeValueAsString(last)).contains("\"choices\":[]");
    assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c -> {
      assertThat(c.usage()).isNull();
      assertThat(new String(Json.streamEvent(c, true), UTF_8)).endsWith(",\"usage\":null}");
    });
  }

  @Test
  void leavesUsageOutOfChunksWhenNotAsked() {
    List<ChatCompletionChunk> chunks = read(host.streamChat(chat().stream(true).build()));

    assertThat(chunks).isNotEmpty().allSatisfy(c -> assertThat(new String(Json.streamEvent(c, false), UTF_8)).doesNotContain("usage"));
  }

  @Test
  void streamsEveryChoiceWithItsOwnRoleAndFinishChunks() {
    List<ChatCompletionChunk> chunks = read(host.streamChat(chat().n(2).build()));

    for (int index = 0; index < 2; index++) {
      int i = index;
      List<ChatCompletionChunk.ChunkChoice> choice = chunks.stream()
          .flatMap(c -> c.choices().stream()).filter(c -> c.index() == i).toList();
      assertThat(choice.get(0).delta().role()).isEqualTo("assistant");
      assertThat(choice.stream().map(c -> c.delta().content()).filter(t -> t != null).reduce("", String::concat))
          .isEqualTo("a b c");
      assertThat(choice.get(choice.size() - 1).finishReason()).isEqualTo("stop");
    }
  }

  @Test
  void mergesToolCallFragmentsIntoOneCallWithNullContent() {
    ChatCompletion answer = host.chat(chat()
        .tools(List.of(Tool.function("get_weather", "Weather of a city", null)))
        .toolChoice(ToolChoice.function("get_weather"))
        .build());

    ChatCompletion.Choice choice = answer.choices().get(0);
    assertThat(choice.finishReason()).isEqualTo("tool_calls");
    assertThat(choice.message().content()).isNull();
    assertThat(choice.message().toolCalls()).hasSize(1);
    ToolCall call = choice.message().toolCalls().get(0);
    assertThat(call.index()).isNull();
    assertThat(call.id()).startsWith("call_");
    assertThat(call.type()).isEqualTo("function");
    assertThat(call.function()).isEqualTo(new ToolCall.FunctionCall("get_weather", "{\"city\":\"Paris\"}"));
    assertThat(Json.mapper().writeValueAsString(choice.message())).contains("\"content\":null");
  }

  @Test
  void streamsToolCallFragmentsWithTheirIndex() {
    List<ChatCompletionChunk> chunks = read(host.streamChat(chat()
        .tools(List.of(Tool.function("get_weather", null, null)))
        .toolChoice(ToolChoice.REQUIRED)
        .build()));

    List<ToolCall> fragments = chunks.stream().flatMap(c -> c.choices().stream())
        .filter(c -> c.delta().toolCalls() != null).flatMap(c -> c.delta().toolCalls().stream()).toList();
    assertThat(fragments).hasSize(3).allSatisfy(f -> assertThat(f.index()).isZero());
    assertThat(fragments.get(0).function().name()).isEqualTo("get_weather");
    assertThat(chunks.get(chunks.size() - 1).choices().get(0).finishReason()).isEqualTo("tool_calls");
  }

  @Test
  void mergesLogprobsOfEveryTokenOfAChoice() {
    ChatCompletion answer = host.chat(chat().logprobs(true).topLogprobs(2).build());

    var logprobs = answer.choices().get(0).logprobs().content();
    assertThat(logprobs).extracting(t -> t.token()).containsExactly("a", " b", " c");
    assertThat(logprobs).allSatisfy(t -> assertThat(t.topLogprobs()).hasSize(2));
  }

  @Test
  void answersLegacyCompletionsWithEchoAndTheLegacyLogprobsLayout() {
    Completion answer = host.complete(new CompletionRequest(MODEL, Prompt.of("Q:"), null, 16, null, null, null,
        null, null, null, 2, true, null, null, null, null, null, null, null, null, null));

    assertThat(answer.id()).matches("cmpl-[A-Za-z0-9]{29}");
    assertThat(answer.object()).isEqualTo("text_completion");
    assertThat(answer.created()).isEqualTo(NOW.getEpochSecond());
    Completion.Choice choice = answer.choices().get(0);
    assertThat(choice.text()).isEqualTo("Q:a b c");
    assertThat(choice.finishReason()).isEqualTo("stop");
    assertThat(choice.logprobs().tokens()).containsExactly("a", " b", " c");
    assertThat(choice.logprobs().tokenLogprobs()).containsExactly(-0.25, -0.25, -0.25);
    assertThat(choice.logprobs().textOffset()).containsExactly(2, 3, 5);
    assertThat(choice.logprobs().topLogprobs().get(1)).containsExactly(Map.entry(" b", -0.25), Map.entry(" b#1", -1.25));
  }

  @Test
  void givesEveryPromptItsOwnChoices() {
    Completion answer = host.complete(new CompletionRequest(MODEL, Prompt.ofStrings(List.of("one", "two")), null, 1,
        null, null, 2, null, null, null, null, null, null, null, null, null, null, null, null, null, null));

    assertThat(answer.choices()).extracting(Completion.Choice::index).containsExactly(0, 1, 2, 3);
    assertThat(answer.choices()).allSatisfy(c -> {
      assertThat(c.text()).isEqualTo("a");
      assertThat(c.finishReason()).isEqualTo("length");
    });
    assertThat(answer.usage().completionTokens()).isEqualTo(4);
  }

  @Test
  void streamsLegacyCompletionsAsPartialTextsThenTheFinish() {
    CompletionRequest request = new CompletionRequest(MODEL, Prompt.of("Q:"), null, 16, null, null, null, null,
        true, StreamOptions.withUsage(), null, null, null, null, null, null, null, null, null, null, null);
    List<Completion> events = new ArrayList<>();
    host.streamComplete(request).forEachRemaining(events::add);

    assertThat(events).allSatisfy(e -> assertThat(e.object()).isEqualTo("text_completion"));
    assertThat(events.subList(0, 4)).extracting(e -> e.choices().get(0).text()).containsExactly("a", " b", " c", "");
    assertThat(events.get(3).choices().get(0).finishReason()).isEqualTo("stop");
    assertThat(events.get(4).choices()).isEmpty();
    assertThat(events.get(4).usage().completionTokens()).isEqualTo(3);
    assertThat(events.subList(0, 4)).allSatisfy(e -> assertThat(new String(Json.streamEvent(e, true), UTF_8)).endsWith(",\"usage\":null}"));
  }

  @Test
  void reportsAFailureDuringGenerationFromHasNextAfterTheChunksBeforeIt() {
    backend.failNextExecutions(1);
    ResponseStream<ChatCompletionChunk> stream = host.streamChat(chat().build());

    List<ChatCompletionChunk> before = new ArrayList<>();
    assertThatThrownBy(() -> stream.forEachRemaining(before::add)).isInstanceOf(ReplicaFailureException.class);
    assertThat(before).extracting(c -> c.choices().get(0).delta().content()).containsExactly("", "a");
    assertThatThrownBy(stream::hasNext).isInstanceOf(ReplicaFailureException.class);
    stream.close();
    assertThat(stream.hasNext()).isFalse();
  }

  @Test
  void streamsAFinishChunkForEveryChoiceTheBackendEndedWithoutOne() {
    host.deploy(ServiceSpec.builder("u-8105f7322477", "quiet").backend(ScriptedBackend.NAME)
        .source(new ModelSource("script", Map.of("reply", "a b", "report-finish", "false"))).build());
    host.awaitRunning("u-8105f7322477/quiet", Duration.ofSeconds(5));
    ChatCompletionRequest request = chat().model("u-8105f7322477/quiet").n(2)
        .stream(true).streamOptions(new StreamOptions(true)).build();

    List<ChatCompletionChunk> chunks = read(host.streamChat(request));

    // The whole answer says "stop" for such a choice; the stream says the same, before the usage chunk.
    assertThat(host.chat(request.toBuilder().stream(null).streamOptions(null).build()).choices())
        .extracting(ChatCompletion.Choice::finishReason).containsExactly("stop", "stop");
    List<ChatCompletionChunk.ChunkChoice> finishes = chunks.stream().flatMap(c -> c.choices().stream())
        .filter(choice -> choice.finishReason() != null).toList();
    assertThat(finishes).extracting(ChatCompletionChunk.ChunkChoice::index).containsExactlyInAnyOrder(0, 1);
    assertThat(finishes).extracting(ChatCompletionChunk.ChunkChoice::finishReason).containsOnly("stop");
    assertThat(chunks.get(chunks.size() - 1).usage()).isNotNull();
    assertThat(chunks.get(chunks.size() - 2).choices().get(0).finishReason()).isEqualTo("stop");
  }

  @Test
  void streamsALegacyFinishEventForAChoiceTheBackendEndedWithoutOne() {
    host.deploy(ServiceSpec.builder("u-8105f7322477", "quiet").backend(ScriptedBackend.NAME)
        .source(new ModelSource("script", Map.of("reply", "a b", "report-finish", "false"))).build());
    host.awaitRunning("u-8105f7322477/quiet", Duration.ofSeconds(5));

    List<Completion> events = read(host.streamComplete(CompletionRequest.of("u-8105f7322477/quiet", "x", 8)));

    assertThat(events.get(events.size() - 1).choices().get(0).finishReason()).isEqualTo("stop");
  }

  private static <T> List<T> read(ResponseStream<T> stream) {
    List<T> items = new ArrayList<>();
    try (stream) {
      stream.forEachRemaining(items::add);
    }
    return items;
  }
}
