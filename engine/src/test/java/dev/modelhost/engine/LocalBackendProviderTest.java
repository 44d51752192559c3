package dev.modelhost.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.ModelHost;
import dev.modelhost.ServiceSpec;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.ChoiceLogprobs.TokenLogprob;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.api.ContentPart;
import dev.modelhost.api.Json;
import dev.modelhost.api.MessageContent;
import dev.modelhost.api.Prompt;
import dev.modelhost.api.ResponseFormat;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolCall;
import dev.modelhost.api.ToolChoice;
import dev.modelhost.api.Usage;
import dev.modelhost.engine.internal.TestModels;
import dev.modelhost.engine.internal.TextTokenizer;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.ContextLengthExceededException;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ChoiceDelta;
import dev.modelhost.spi.GenerationListener;
import dev.modelhost.spi.InferenceRequest;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.spi.Replica;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** The generation loop end to end with a real tokenizer and chat template and a scripted decoder. */
class LocalBackendProviderTest {

  private static final int IM_END = 2047;
  private static final int END_OF_TEXT = 2045;
  private static final int VOCAB = 2048;

  private static int[] helloWorld;
  private static int[] renderedHi;
  private static int[] toolCallTokens;
  private static int[] newline;

  @TempDir Path temp;
  private Path modelDir;
  private @Nullable ModelRuntime runtime;
  private @Nullable ScriptedDecoder decoder;

  @BeforeAll
  static void encodeScripts() {
    try (TextTokenizer tokenizer = TextTokenizer.load(ModelDirectory.open(TestModels.path(TestModels.BYTE_LEVEL)))) {
      helloWorld = tokenizer.encodeRendered("Hello world");
      renderedHi = tokenizer.encodeRendered("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
      newline = tokenizer.encodeRendered("\n");
      toolCallTokens = tokenizer.encodeRendered(
          "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>");
    }
  }

  @BeforeEach
  void copyModel() {
    modelDir = TestModels.copy(TestModels.BYTE_LEVEL, temp.resolve("model"));
  }

  @AfterEach
  void closeRuntime() {
    if (runtime != null) {
      runtime.close();
      assertThat(decoder.closed).isTrue();
      assertThat(decoder.openStates.get()).as("KV caches left open").isZero();
    }
  }

  private static int[] append(int[] tokens, int... more) {
    return IntStream.concat(IntStream.of(tokens), IntStream.of(more)).toArray();
  }

  private Replica load(int window, int[] script, float peak) {
    ScriptedProvider provider = new ScriptedProvider(dir -> new ScriptedDecoder(VOCAB, window, Set.of(), script, 300, peak));
    runtime = provider.load(ModelSource.of(modelDir.toString()));
    decoder = provider.decoder;
    return runtime.createReplica(0);
  }

  private Replica load(int[] script) {
    return load(512, script, 20f);
  }

  private static Recorder chat(Replica replica, ChatCompletionRequest request) {
    Recorder recorder = new Recorder();
    replica.execute(new InferenceRequest.Chat("req", request, new Cancellation()), recorder);
    return recorder;
  }

  /** Seeded: the scripted decoder leaves other tokens a tiny chance, and a test must not depend on luck. */
  private static ChatCompletionRequest.Builder hi() {
    return ChatCompletionRequest.builder("m").addMessage(ChatMessage.user("Hi")).seed(7L);
  }

  @Test
  void chatStreamsTheTextAndStopsAtEos() {
    Replica replica = load(append(helloWorld, IM_END));
    Recorder out = chat(replica, hi().build());
    assertThat(out.text(0)).isEqualTo("Hello world");
    assertThat(out.finishReason(0)).isEqualTo("stop");
    assertThat(out.deltas).filteredOn(d -> d.text() != null).hasSizeGreaterThan(1);
    assertThat(decoder.prompts.get(0)).isEqualTo(renderedHi);
    assertThat(out.usages).containsExactly(Usage.of(renderedHi.length, helloWorld.length + 1));
  }

  @Test
  void modelGenerationConfigEosEndsTheAnswerToo() {
    Replica replica = load(append(helloWorld, END_OF_TEXT));
    assertThat(chat(replica, hi().build()).finishReason(0)).isEqualTo("stop");
  }

  @Test
  void finishesWithLengthAtMaxTokens() {
    Replica replica = load(append(helloWorld, IM_END));
    Recorder out = chat(replica, hi().maxCompletionTokens(1).build());
    assertThat(out.finishReason(0)).isEqualTo("length");
    assertThat(out.usages.get(0).completionTokens()).isEqualTo(1);
  }

  @Test
  void zeroMaxTokensFinishesWithoutDecoding() {
    Replica replica = load(append(helloWorld, IM_END));
    Recorder out = chat(replica, hi().maxTokens(0).build());
    assertThat(out.finishReason(0)).isEqualTo("length");
    assertThat(out.text(0)).isEmpty();
    assertThat(decoder.batchSizes).isEmpty();
    assertThat(out.usages).containsExactly(Usage.of(renderedHi.length, 0));
  }

  @Test
  void defaultLimitIsTheRestOfTheContextWindow() {
    Replica replica = load(512, new int[0], 20f);
    Recorder probe = chat(replica, hi().maxTokens(1).build());
    int prompt = probe.usages.get(0).promptTokens();
    runtime.close();
    Replica small = load(prompt + 3, new int[0], 20f);
    Recorder out = chat(small, hi().build());
    assertThat(out.finishReason(0)).isEqualTo("length");
    assertThat(out.usages.get(0).completionTokens()).isEqualTo(3);
  }

  @Test
  void promptPlusMaxTokensBeyondTheWindowIsRejectedBeforeDecoding() {
    Replica replica = load(20, append(helloWorld, IM_END), 20f);
    assertThatThrownBy(() -> chat(replica, hi().maxTokens(15).build()))
        .isInstanceOf(ContextLengthExceededException.class)
        .satisfies(e -> assertThat(((ContextLengthExceededException) e).code()).isEqualTo("context_length_exceeded"));
    assertThat(decoder.batchSizes).isEmpty();
  }

  @Test
  void stopSequenceEndsTheAnswerAndIsNotEmitted() {
    Replica replica = load(append(helloWorld, IM_END));
    Recorder out = chat(replica, hi().stop("o w").build());
    assertThat(out.text(0)).isEqualTo("Hell");
    assertThat(out.finishReason(0)).isEqualTo("stop");
  }

  @Test
  void severalChoicesArePrefilledInOneBatchAndCountedOnce() {
    Replica replica = load(append(helloWorld, IM_END));
    Recorder out = chat(replica, hi().n(3).build());
    assertThat(decoder.batchSizes.get(0)).isEqualTo(3);
    for (int i = 0; i < 3; i++) {
      assertThat(out.text(i)).isEqualTo("Hello world");
      assertThat(out.finishReason(i)).isEqualTo("stop");
    }
    Usage usage = out.usages.get(0);
    assertThat(usage.promptTokens()).isEqualTo(decoder.prompts.get(0).length);
    assertThat(usage.completionTokens()).isEqualTo(3 * (helloWorld.length + 1));
  }

  @Test
  void seededSamplingRepeatsAndChoicesDiffer() {
    Replica replica = load(512, new int[0], 0f);
    ChatCompletionRequest request = hi().n(2).seed(7L).temperature(1.0).maxTokens(8).build();
    Recorder first = chat(replica, request);
    Recorder second = chat(replica, request);
    assertThat(second.tokens(0)).isEqualTo(first.tokens(0));
    assertThat(second.tokens(1)).isEqualTo(first.tokens(1));
    assertThat(first.tokens(0)).isNotEqualTo(first.tokens(1));
  }

  @Test
  void cancellationStopsBetweenStepsAndFreesTheCaches() {
    Replica replica = load(new int[0]);
    Cancellation cancellation = new Cancellation();
    Recorder recorder = new Recorder() {
      @Override
      public void onDelta(ChoiceDelta delta) {
        super.onDelta(delta);
        cancellation.cancel();
      }
    };
    ChatCompletionRequest request = hi().maxTokens(50).build();
    assertThatThrownBy(() -> replica.execute(new InferenceRequest.Chat("r", request, cancellation), recorder))
        .isInstanceOf(RequestCancelledException.class);
    assertThat(decoder.batchSizes).hasSizeLessThan(5);
    assertThat(decoder.openStates.get()).isZero();
    assertThat(recorder.usages).isEmpty();
  }

  @Test
  void decoderFailureIsABackendExceptionAndFreesTheCaches() {
    Replica replica = load(new int[0]);
    decoder.failAtStep = 2;
    assertThatThrownBy(() -> chat(replica, hi().n(2).maxTokens(10).build()))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("runtime fault");
    assertThat(decoder.openStates.get()).isZero();
  }

  @Test
  void closedReplicaRefusesWork() {
    Replica replica = load(new int[0]);
    replica.close();
    assertThatThrownBy(() -> chat(replica, hi().build())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void logprobsReportTheChosenTokenAndItsAlternatives() {
    Replica replica = load(append(helloWorld, IM_END));
    Recorder out = chat(replica, hi().logprobs(true).topLogprobs(2).build());
    List<TokenLogprob> logprobs = out.deltas.stream().filter(d -> d.logprobs() != null).flatMap(d -> d.logprobs().stream()).toList();
    assertThat(logprobs).hasSize(helloWorld.length + 1);
    TokenLogprob first = logprobs.get(0);
    assertThat(first.topLogprobs()).hasSize(2);
    assertThat(first.topLogprobs().get(0).token()).isEqualTo(first.token());
    assertThat(first.logprob()).isNegative().isGreaterThan(-0.01);
    assertThat(first.topLogprobs().get(1).logprob()).isLessThan(-15);
    assertThat(String.join("", logprobs.subList(0, helloWorld.length).stream().map(TokenLogprob::token).toList()))
        .isEqualTo("Hello world");
    assertThat(logprobs.get(helloWorld.length).token()).isEqualTo("<|im_end|>");
  }

  @Test
  void imageAudioAndFilePartsAreRefusedBeforeDecoding() {
    Replica replica = load(append(helloWorld, IM_END));
    List<ContentPart> parts = List.of(
        ContentPart.text("What is this?"),
        new ContentPart("input_audio", null, null, new ContentPart.InputAudio("AAAA", "wav"), null, null));
    ChatCompletionRequest request = ChatCompletionRequest.builder("m")
        .addMessage(ChatMessage.system("Be brief."))
        .addMessage(new ChatMessage(ChatMessage.USER, MessageContent.ofParts(parts), null, null, null))
        .build();
    assertThatThrownBy(() -> chat(replica, request))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(400);
          assertThat(e.param()).isEqualTo("messages[1].content[1]");
          assertThat(e.code()).isEqualTo("unsupported_content");
        })
        .hasMessageContaining("input_audio")
        .hasMessageContaining("text only");
    assertThat(decoder.batchSizes).isEmpty();
    ChatMessage image = new ChatMessage(ChatMessage.USER,
        MessageContent.ofParts(List.of(ContentPart.imageUrl("data:image/png;base64,AAAA"))), null, null, null);
    assertThatThrownBy(() -> chat(replica, ChatCompletionRequest.builder("m").addMessage(image).build()))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.param()).isEqualTo("messages[0].content[0]"));
  }

  @Test
  void refusesASchemaItCannotEnforceBeforeDecoding() {
    Replica replica = load(append(helloWorld, IM_END));
    JsonNode pattern = Json.mapper().readTree("{\"type\":\"string\",\"pattern\":\"a+\"}");

    assertThatThrownBy(() -> chat(replica, hi().responseFormat(new ResponseFormat("json_schema",
            new ResponseFormat.JsonSchema("answer", null, pattern, true))).build()))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(400);
          assertThat(e.param()).isEqualTo("response_format.json_schema.schema");
          assertThat(e.code()).isEqualTo("unsupported_value");
        });
    assertThat(decoder.batchSizes).isEmpty();
  }

  static Stream<Arguments> callsHeldToTheirSchemaWithoutBeingForced() {
    JsonNode city = Json.mapper().readTree(
        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"],"
            + "\"additionalProperties\":false}");
    Tool strict = new Tool("function", new Tool.FunctionDefinition("get_weather", null, city, true));
    Tool loose = Tool.function("get_weather", null, city);
    return Stream.of(
        Arguments.of(hi().tools(List.of(strict)), List.of(0, 1)),
        Arguments.of(hi().tools(List.of(loose)).parallelToolCalls(false), List.of(0)));
  }

  @ParameterizedTest
  @MethodSource("callsHeldToTheirSchemaWithoutBeingForced")
  void strictFunctionsAndSingleCallsAreHeldWhileTextStaysFree(ChatCompletionRequest.Builder request, List<Integer> calls) {
    Replica replica = load(append(helloWorld, IM_END));
    Recorder text = chat(replica, request.build());
    assertThat(text.text(0)).isEqualTo("Hello world");
    assertThat(text.finishReason(0)).isEqualTo("stop");

    Replica caller = load(append(append(append(toolCallTokens, newline), toolCallTokens), IM_END));
    Recorder call = chat(caller, request.build());
    assertThat(call.finishReason(0)).isEqualTo("tool_calls");
    List<ToolCall> fragments = call.deltas.stream().filter(d -> d.toolCalls() != null).flatMap(d -> d.toolCalls().stream()).toList();
    assertThat(fragments).extracting(ToolCall::index).containsOnlyElementsOf(calls).containsAll(calls);
    assertThat(fragments.get(0).function().name()).isEqualTo("get_weather");
  }

  @Test
  void servesTheDefaultsOfTheParametersItCannotConstrain() {
    Replica replica = load(append(helloWorld, IM_END));
    Tool weather = Tool.function("get_weather", null, null);

    Recorder out = chat(replica, hi().responseFormat(ResponseFormat.TEXT).tools(List.of(weather))
        .toolChoice(ToolChoice.AUTO).parallelToolCalls(true).build());

    assertThat(out.text(0)).isEqualTo("Hello world");
  }

  @Test
  void textPartsAreServed() {
    Replica replica = load(append(helloWorld, IM_END));
    ChatMessage parts = new ChatMessage(ChatMessage.USER,
        MessageContent.ofParts(List.of(ContentPart.text("Hi"))), null, null, null);
    Recorder out = chat(replica, ChatCompletionRequest.builder("m").addMessage(parts).build());
    assertThat(out.text(0)).isEqualTo("Hello world");
    assertThat(decoder.prompts.get(0)).isEqualTo(renderedHi);
  }

  @Test
  void requestsThroughTheHostAreCheckedByCoreBeforeTheEngineSeesThem() {
    ScriptedProvider provider = new ScriptedProvider(dir -> new ScriptedDecoder(VOCAB, 512, Set.of(), append(helloWorld, IM_END), 300, 20f));
    try (ModelHost host = ModelHost.builder().backend(provider).build()) {
      host.deploy(ServiceSpec.builder("u-8105f7322477", "local").backend(provider.name())
          .source(ModelSource.of(modelDir.toString())).build());
      host.awaitRunning("u-8105f7322477/local", Duration.ofSeconds(30));
      ChatCompletionRequest.Builder chat = ChatCompletionRequest.builder("u-8105f7322477/local").addMessage(ChatMessage.user("Hi"));
      assertThatThrownBy(() -> host.chat(chat.topLogprobs(2).build()))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo("top_logprobs"));
      assertThatThrownBy(() -> host.chat(chat.topLogprobs(null).n(0).build()))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo("n"));
      CompletionRequest suffix = new CompletionRequest("u-8105f7322477/local", Prompt.of("Say:"), "tail", 4, null, null,
          null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
      assertThatThrownBy(() -> host.complete(suffix))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo("suffix"));
      assertThat(provider.decoder.batchSizes).isEmpty();
      assertThat(host.chat(chat.n(null).build()).firstContent()).isEqualTo("Hello world");
    }
  }

  @Test
  void toolCallsInTheAnswerBecomeOpenAiToolCalls() {
    Replica replica = load(append(toolCallTokens, IM_END));
    Tool weather = Tool.function("get_weather", "Get the weather", Json.mapper().readTree("{\"type\":\"object\"}"));
    Recorder out = chat(replica, hi().tools(List.of(weather)).stream(true).build());
    assertThat(out.text(0)).isEmpty();
    assertThat(out.finishReason(0)).isEqualTo("tool_calls");
    List<ToolCall> fragments = out.deltas.stream().filter(d -> d.toolCalls() != null).flatMap(d -> d.toolCalls().stream()).toList();
    ToolCall first = fragments.get(0);
    assertThat(first.id()).matches("call_[A-Za-z0-9]{24}");
    assertThat(first.type()).isEqualTo("function");
    assertThat(first.function()).isEqualTo(new ToolCall.FunctionCall("get_weather", ""));
    assertThat(fragments).as("the arguments stream as they are generated").hasSizeGreaterThan(2);
    assertThat(fragments).allSatisfy(f -> assertThat(f.index()).isZero());
    assertThat(fragments.subList(1, fragments.size())).allSatisfy(f -> {
      assertThat(f.id()).isNull();
      assertThat(f.function().name()).isNull();
    });
    assertThat(fragments.stream().map(f -> f.function().arguments()).collect(Collectors.joining()))
        .isEqualTo("{\"city\": \"Paris\"}");
  }

  @Test
  void textAnswerWithToolsOfferedIsStillText() {
    Replica replica = load(append(helloWorld, IM_END));
    Tool weather = Tool.function("get_weather", null, null);
    Recorder out = chat(replica, hi().tools(List.of(weather)).build());
    assertThat(out.text(0)).isEqualTo("Hello world");
    assertThat(out.finishReason(0)).isEqualTo("stop");
  }

  @Test
  void theToolUseTemplateRendersRequestsThatOfferToolsAsInTransformers() throws IOException {
    Path config = modelDir.resolve("tokenizer_config.json");
    var json = (tools.jackson.databind.node.ObjectNode) Json.mapper().readTree(Files.readString(config));
    String chatml = json.get("chat_template").asString();
    var named = json.putArray("chat_template");
    named.addObject().put("name", "default").put("template", chatml);
    named.addObject().put("name", "tool_use").put("template",
        "TOOLS:{% for tool in tools %}[{{ tool.function.name }}]{% endfor %}" + chatml);
    Files.writeString(config, Json.mapper().writeValueAsString(json));
    TextTokenizer tokenizer = TextTokenizer.load(ModelDirectory.open(modelDir));
    int[] withTools;
    try (tokenizer) {
      withTools = tokenizer.encodeRendered("TOOLS:[get_weather]<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    }
    Replica replica = load(append(helloWorld, IM_END));
    Tool weather = Tool.function("get_weather", null, null);
    chat(replica, hi().tools(List.of(weather)).build());
    chat(replica, hi().build());
    chat(replica, hi().tools(List.of(weather)).toolChoice(ToolChoice.NONE).build());
    assertThat(decoder.prompts.get(0)).isEqualTo(withTools);
    assertThat(decoder.prompts.get(1)).isEqualTo(renderedHi);
    assertThat(decoder.prompts.get(2)).isEqualTo(renderedHi);
  }

  @Test
  void modelWithoutChatTemplateRefusesChatsButServesCompletions() throws IOException {
    Path config = modelDir.resolve("tokenizer_config.json");
    var json = (tools.jackson.databind.node.ObjectNode) Json.mapper().readTree(Files.readString(config));
    json.remove("chat_template");
    Files.writeString(config, Json.mapper().writeValueAsString(json));
    Replica replica = load(append(helloWorld, IM_END));
    assertThatThrownBy(() -> chat(replica, hi().build()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("no chat template")
        .satisfies(e -> assertThat(((InvalidRequestException) e).httpStatus()).isEqualTo(400));
    Recorder out = new Recorder();
    replica.execute(new InferenceRequest.Text("r", CompletionRequest.of("m", "Say:", 20), new Cancellation()), out);
    assertThat(out.text(0)).isEqualTo("Hello world");
  }

  @Test
  void unparseableChatTemplateFailsTheLoadWithItsLineAndColumn() throws IOException {
    Files.writeString(modelDir.resolve("chat_template.jinja"), "{{ bos_token }}\n{% if messages %}{{ messages[0].content }}\n");
    ScriptedProvider provider = new ScriptedProvider(dir -> new ScriptedDecoder(VOCAB, 512, Set.of(), helloWorld, 300, 20f));
    assertThatThrownBy(() -> provider.load(ModelSource.of(modelDir.toString())))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("chat template cannot be parsed")
        .hasMessageContaining("line 2, column");
    assertThat(provider.decoder).as("no weights are loaded for a model whose template is broken").isNull();
  }

  @Test
  void chatTemplateRefusalIsABadRequestWithTheTemplatesMessage() throws IOException {
    Files.writeString(modelDir.resolve("chat_template.jinja"),
        "{% if messages[0]['role'] != 'system' %}{{ raise_exception('A system message is required.') }}{% endif %}"
            + "{% for m in messages %}{{ m.content }}{% endfor %}\n");
    Replica replica = load(append(helloWorld, IM_END));
    assertThatThrownBy(() -> chat(replica, hi().build()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("A system message is required.")
        .satisfies(e -> assertThat(((InvalidRequestException) e).httpStatus()).isEqualTo(400));
  }

  @Test
  void completionPromptOfTokenIdsBypassesTheTokenizerAndCanBeEchoed() {
    Replica replica = load(append(helloWorld, IM_END));
    CompletionRequest request = new CompletionRequest("m", Prompt.ofTokens(10, 20, 30), null, 2, null, null, 2, null, null,
        null, null, true, null, null, null, null, null, null, null, null, null);
    Recorder out = new Recorder();
    replica.execute(new InferenceRequest.Text("r", request, new Cancellation()), out);
    assertThat(decoder.prompts.get(0)).containsExactly(10, 20, 30);
    assertThat(out.deltas.get(0).text()).isNotEmpty();
    assertThat(out.finishReason(0)).isEqualTo("length");
    assertThat(out.finishReason(1)).isEqualTo("length");
    assertThat(out.usages).containsExactly(Usage.of(3, 4));
  }

  @Test
  void severalCompletionPromptsEachGetNChoices() {
    Replica replica = load(append(helloWorld, IM_END));
    CompletionRequest request = new CompletionRequest("m", Prompt.ofStrings(List.of("a", "b c")), null, 3, null, null, 2, null,
        null, null, null, null, null, null, null, null, null, null, null, null, null);
    Recorder out = new Recorder();
    replica.execute(new InferenceRequest.Text("r", request, new Cancellation()), out);
    assertThat(IntStream.range(0, 4).mapToObj(out::finishReason).toList()).containsOnly("length");
    assertThat(decoder.batchSizes.get(0)).isEqualTo(4);
    assertThat(out.usages.get(0).completionTokens()).isEqualTo(12);
  }

  @Test
  void runtimeDescribesTheModelAndLoadFailuresAreModelLoadExceptions() {
    load(append(helloWorld, IM_END));
    assertThat(runtime.descriptor().modelType()).isEqualTo("scripted");
    assertThat(runtime.descriptor().contextWindow()).isEqualTo(512);
    ScriptedProvider failing = new ScriptedProvider(dir -> {
      throw new IllegalArgumentException("bad weights");
    });
    assertThatThrownBy(() -> failing.load(ModelSource.of(modelDir.toString())))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("bad weights");
    assertThatThrownBy(() -> failing.load(ModelSource.of(temp.resolve("missing").toString())))
        .isInstanceOf(ModelLoadException.class);
  }

  /** A backend whose decoder is scripted. */
  static final class ScriptedProvider extends LocalBackendProvider {
    private final Function<ModelDirectory, ScriptedDecoder> factory;
    @Nullable ScriptedDecoder decoder;

    ScriptedProvider(Function<ModelDirectory, ScriptedDecoder> factory) {
      this.factory = factory;
    }

    @Override
    public String name() {
      return "scripted";
    }

    @Override
    protected Decoder loadDecoder(ModelDirectory dir, ModelSource source) {
      decoder = factory.apply(dir);
      return decoder;
    }
  }

  /** Collects what a replica reports. */
  static class Recorder implements GenerationListener {
    final List<ChoiceDelta> deltas = new ArrayList<>();
    final List<Usage> usages = new ArrayList<>();

    @Override
    public void onDelta(ChoiceDelta delta) {
      deltas.add(delta);
    }

    @Override
    public void onUsage(Usage usage, boolean estimated) {
      assertThat(estimated).isFalse();
      usages.add(usage);
    }

    String text(int index) {
      StringBuilder sb = new StringBuilder();
      deltas.stream().filter(d -> d.index() == index && d.text() != null).forEach(d -> sb.append(d.text()));
      return sb.toString();
    }

    @Nullable String finishReason(int index) {
      List<String> reasons = deltas.stream().filter(d -> d.index() == index && d.finishReason() != null).map(ChoiceDelta::finishReason).toList();
      assertThat(reasons).hasSizeLessThanOrEqualTo(1);
      return reasons.isEmpty() ? null : reasons.get(0);
    }

    String tokens(int index) {
      return text(index);
    }
  }
}
