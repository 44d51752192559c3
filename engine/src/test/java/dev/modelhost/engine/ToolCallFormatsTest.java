package dev.modelhost.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.Json;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolCall;
import dev.modelhost.api.ToolChoice;
import dev.modelhost.engine.LocalBackendProviderTest.Recorder;
import dev.modelhost.engine.LocalBackendProviderTest.ScriptedProvider;
import dev.modelhost.engine.internal.TestModels;
import dev.modelhost.engine.internal.TextTokenizer;
import dev.modelhost.engine.internal.grammar.TokenVocabulary;
import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.InferenceRequest;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.spi.Replica;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * Tool calls through a replica, on a tokenizer that holds Mistral's markers as special tokens:
 * the format is detected from those tokens, the markers reach the parser although special tokens
 * add no text, a forced call is written in that format (its marker as the one special token), a
 * call cut off is content in an answer that is not streamed, and the {@code tool-parser} option
 * overrides the detection.
 */
class ToolCallFormatsTest {

  private static final int IM_END = 2047;
  private static final int VOCAB = 2050;
  private static final Tool WEATHER = Tool.function("get_weather", null, Json.mapper().readTree("{\"type\": \"object\"}"));

  @TempDir Path temp;
  private Path modelDir;
  private @Nullable ModelRuntime runtime;

  @BeforeEach
  void addMistralMarkers() throws IOException {
    modelDir = TestModels.copy(TestModels.BYTE_LEVEL, temp.resolve("model"));
    Path file = modelDir.resolve("tokenizer.json");
    ObjectNode json = (ObjectNode) Json.mapper().readTree(Files.readString(file));
    var added = (tools.jackson.databind.node.ArrayNode) json.get("added_tokens");
    added.addObject().put("id", 2048).put("content", "[TOOL_CALLS]").put("single_word", false).put("lstrip", false)
        .put("rstrip", false).put("normalized", false).put("special", true);
    added.addObject().put("id", 2049).put("content", "[ARGS]").put("single_word", false).put("lstrip", false)
        .put("rstrip", false).put("normalized", false).put("special", true);
    Files.writeString(file, Json.mapper().writeValueAsString(json));
  }

  @AfterEach
  void close() {
    if (runtime != null) {
      runtime.close();
    }
  }

  private int[] answer(String text) {
    try (TextTokenizer tokenizer = TextTokenizer.load(ModelDirectory.open(modelDir))) {
      return IntStream.concat(IntStream.of(tokenizer.encodeRendered(text)), IntStream.of(IM_END)).toArray();
    }
  }

  private Replica load(int[] script, Map<String, String> options) {
    ScriptedProvider provider = new ScriptedProvider(dir -> new ScriptedDecoder(VOCAB, 512, Set.of(), script, 300, 20f));
    runtime = provider.load(new ModelSource(modelDir.toString(), options));
    return runtime.createReplica(0);
  }

  private static Recorder chat(Replica replica, boolean tools) {
    ChatCompletionRequest.Builder request = ChatCompletionRequest.builder("m").addMessage(ChatMessage.user("Weather?")).seed(7L);
    if (tools) {
      request.tools(List.of(WEATHER));
    }
    return chat(replica, request);
  }

  private static Recorder chat(Replica replica, ChatCompletionRequest.Builder request) {
    Recorder recorder = new Recorder();
    replica.execute(new InferenceRequest.Chat("r", request.build(), new Cancellation()), recorder);
    return recorder;
  }

  private static ChatCompletionRequest.Builder weather() {
    return ChatCompletionRequest.builder("m").addMessage(ChatMessage.user("Weather?")).seed(7L).tools(List.of(WEATHER));
  }

  private static List<ToolCall> fragments(Recorder out) {
    return out.deltas.stream().filter(d -> d.toolCalls() != null).flatMap(d -> d.toolCalls().stream()).toList();
  }

  @Test
  void markersThatAreSpecialTokensReachTheDetectedFormat() {
    int[] script = answer("[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Paris\"}");
    assertThat(script).contains(2048, 2049);
    Replica replica = load(script, Map.of());
    Recorder out = chat(replica, true);
    assertThat(out.text(0)).isEmpty();
    assertThat(out.finishReason(0)).isEqualTo("tool_calls");
    List<ToolCall> fragments = fragments(out);
    assertThat(fragments.get(0).function()).isEqualTo(new ToolCall.FunctionCall("get_weather", ""));
    assertThat(fragments.stream().map(f -> f.function().arguments()).reduce("", String::concat)).isEqualTo("{\"city\": \"Paris\"}");
  }

  @Test
  void aRequiredCallIsWrittenInTheModelsFormatWithItsMarkerToken() {
    int[] script = answer("[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]");
    assertThat(script).contains(2048);
    Replica replica = load(script, Map.of());
    Recorder out = chat(replica, weather().toolChoice(ToolChoice.REQUIRED));
    assertThat(out.text(0)).isEmpty();
    assertThat(out.finishReason(0)).isEqualTo("tool_calls");
    List<ToolCall> fragments = fragments(out);
    assertThat(fragments.get(0).function()).isEqualTo(new ToolCall.FunctionCall("get_weather", ""));
    assertThat(fragments.stream().map(f -> f.function().arguments()).reduce("", String::concat)).isEqualTo("{\"city\": \"Paris\"}");
  }

  @Test
  void onlyMarkerTokensStandForTheirTextInTheConstrainedVocabulary() {
    try (TextTokenizer tokenizer = TextTokenizer.load(ModelDirectory.open(modelDir))) {
      boolean[] markers = new boolean[tokenizer.size()];
      markers[2048] = true;
      TokenVocabulary vocabulary = tokenizer.constrainedVocabulary(VOCAB, new int[] {IM_END}, markers);
      assertThat(new String(vocabulary.bytes(2048), StandardCharsets.UTF_8)).isEqualTo("[TOOL_CALLS]");
      assertThat(vocabulary.bytes(2049)).isEmpty();
      assertThat(vocabulary.bytes(IM_END)).isEmpty();
    }
  }

  @Test
  void aCallCutOffIsContentWhenNotStreamedAndFragmentsWhenStreamed() {
    int[] script = answer("[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Paris\"}");
    Replica replica = load(script, Map.of());
    Recorder whole = chat(replica, weather().maxTokens(6));
    assertThat(fragments(whole)).isEmpty();
    assertThat(whole.text(0)).startsWith("[TOOL_CALLS]get_weather[ARGS]");
    assertThat(whole.finishReason(0)).isEqualTo("length");
    Recorder streamed = chat(replica, weather().maxTokens(6).stream(true));
    assertThat(fragments(streamed)).isNotEmpty();
    assertThat(streamed.finishReason(0)).isEqualTo("length");
  }

  @Test
  void withoutToolsSpecialMarkersStayHidden() {
    Replica replica = load(answer("[TOOL_CALLS]get_weather[ARGS]{}"), Map.of());
    Recorder out = chat(replica, false);
    assertThat(out.text(0)).isEqualTo("get_weather{}");
    assertThat(out.finishReason(0)).isEqualTo("stop");
  }

  @Test
  void theToolParserOptionOverridesDetection() {
    Replica replica = load(answer("[TOOL_CALLS]get_weather[ARGS]{}"), Map.of("tool-parser", "hermes"));
    Recorder out = chat(replica, true);
    assertThat(out.text(0)).isEqualTo("get_weather{}");
    assertThat(fragments(out)).isEmpty();
    assertThat(out.finishReason(0)).isEqualTo("stop");
  }

  @Test
  void anUnknownToolParserIsRefusedListingTheNames() {
    assertThatThrownBy(() -> load(new int[] {IM_END}, Map.of("tool-parser", "pythonic")))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.param()).isEqualTo("options.tool-parser"))
        .hasMessageContaining("'pythonic'")
        .hasMessageContaining("hermes, llama3_json, mistral, deepseek_v3, phi4_mini, granite, qwen3_coder");
    assertThat(new ScriptedProvider(dir -> null).optionNames()).contains("tool-parser", "max-batch", "prefill-chunk");
  }
}
