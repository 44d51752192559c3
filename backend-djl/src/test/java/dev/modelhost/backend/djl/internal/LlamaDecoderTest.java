package dev.modelhost.backend.djl.internal;

import static dev.modelhost.backend.djl.internal.ReferenceCases.argmax;
import static dev.modelhost.backend.djl.internal.ReferenceCases.fixture;
import static dev.modelhost.backend.djl.internal.ReferenceCases.ints;
import static dev.modelhost.backend.djl.internal.ReferenceCases.readJson;
import static dev.modelhost.backend.djl.internal.ReferenceCases.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.engine.Decoder;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.spi.ModelSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs the decoder on real libtorch (CPU, offline) against expected outputs that
 * {@code tools/djl_reference_fixtures.py} computed with an independent float64 PyTorch
 * implementation of the same Hugging Face architectures.
 */
class LlamaDecoderTest {

  /** Two fp32 computations of the same logits that differ only in how the work was split. */
  private static final float SPLIT_TOLERANCE = 1e-4f;

  @ParameterizedTest
  @ValueSource(strings = {
      "llama-tied", "llama-tied-sharded", "llama-tied-fp16", "llama-tied-bf16",
      "llama3-scaled-untied", "qwen2-bias", "mistral-window"})
  void matchesReferenceLogitsAndGreedyTokens(String variant) {
    try (LlamaDecoder decoder = load(fixture(variant))) {
      ReferenceCases.assertDecoderMatches(decoder, fixture(variant).resolve("expected.json"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-tied", "mistral-window", "qwen2-bias"})
  void cachedDecodingEqualsFullRecomputation(String variant) {
    int[] tokens = {1, 17, 4, 60, 33, 33, 8, 91, 12, 5, 70, 2, 44};
    try (LlamaDecoder decoder = load(fixture(variant))) {
      float[] full;
      try (DecoderState state = decoder.newState()) {
        full = step(decoder, state, tokens);
      }
      try (DecoderState state = decoder.newState()) {
        // A prompt in two chunks, then one token at a time.
        step(decoder, state, Arrays.copyOfRange(tokens, 0, 5));
        step(decoder, state, Arrays.copyOfRange(tokens, 5, 9));
        float[] cached = null;
        for (int i = 9; i < tokens.length; i++) {
          cached = step(decoder, state, tokens[i]);
        }
        assertThat(cached).containsExactly(full, within(SPLIT_TOLERANCE));
      }
    }
  }

  @Test
  void batchedStepEqualsEachSequenceAlone() {
    int[][] prompts = {{1, 5, 9}, {1, 40, 41, 42, 43, 44, 45}, {7}};
    int[][] next = {{11}, {12, 14}, {13}};
    try (LlamaDecoder decoder = load(fixture("mistral-window"))) {
      float[][] alone = new float[prompts.length][];
      for (int s = 0; s < prompts.length; s++) {
        try (DecoderState state = decoder.newState()) {
          step(decoder, state, prompts[s]);
          alone[s] = step(decoder, state, next[s]);
        }
      }
      List<DecoderState> states = List.of(decoder.newState(), decoder.newState(), decoder.newState());
      try {
        // Ragged prefill of all three, then a step mixing a decode token and a two-token chunk.
        List<Decoder.Step> prefill = new ArrayList<>();
        for (int s = 0; s < prompts.length; s++) {
          prefill.add(new Decoder.Step(states.get(s), prompts[s]));
        }
        decoder.step(prefill);
        float[][] batched = decoder.step(List.of(
            new Decoder.Step(states.get(0), next[0]),
            new Decoder.Step(states.get(1), next[1]),
            new Decoder.Step(states.get(2), next[2])));
        for (int s = 0; s < prompts.length; s++) {
          assertThat(batched[s]).as("sequence %d", s).containsExactly(alone[s], within(SPLIT_TOLERANCE));
          assertThat(states.get(s).length()).isEqualTo(prompts[s].length + next[s].length);
        }
      } finally {
        states.forEach(DecoderState::close);
      }
    }
  }

  @Test
  void concurrentStepsOnDistinctStatesMatchTheReference() throws Exception {
    JsonNode cases = readJson(fixture("qwen2-bias").resolve("expected.json")).get("cases");
    try (LlamaDecoder decoder = load(fixture("qwen2-bias"))) {
      List<Callable<int[]>> tasks = new ArrayList<>();
      for (JsonNode expected : cases) {
        tasks.add(() -> {
          try (DecoderState state = decoder.newState()) {
            int[] produced = new int[expected.get("greedy").size()];
            float[] logits = step(decoder, state, ints(expected.get("prompt")));
            for (int i = 0; i < produced.length; i++) {
              produced[i] = argmax(logits);
              logits = step(decoder, state, produced[i]);
            }
            return produced;
          }
        });
      }
      ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
      try {
        List<Future<int[]>> results = pool.invokeAll(tasks);
        for (int i = 0; i < results.size(); i++) {
          assertThat(results.get(i).get()).containsExactly(ints(cases.get(i).get("greedy")));
        }
      } finally {
        pool.shutdown();
      }
    }
  }

  @Test
  void cacheGrowsPastItsFirstAllocation(@TempDir Path dir) throws IOException {
    Path source = fixture("llama-tied");
    ObjectNode config = (ObjectNode) readJson(source.resolve("config.json"));
    config.put("max_position_embeddings", 1024);
    Files.writeString(dir.resolve("config.json"), config.toString());
    Files.copy(source.resolve("model.safetensors"), dir.resolve("model.safetensors"));
    int[] tokens = new Random(7).ints(600, 0, 96).toArray();
    try (LlamaDecoder decoder = load(dir)) {
      float[] full;
      try (DecoderState state = decoder.newState()) {
        full = step(decoder, state, tokens);
      }
      try (DecoderState state = decoder.newState()) {
        float[] cached = null;
        for (int from = 0; from < tokens.length; from += 150) {
          cached = step(decoder, state, Arrays.copyOfRange(tokens, from, from + 150));
        }
        assertThat(cached).containsExactly(full, within(SPLIT_TOLERANCE));
      }
    }
  }

  @Test
  void largeTensorsLoadInRowBlocksToTheSameValues() {
    Path dir = fixture("llama-tied-bf16");
    SafetensorsWeights whole = SafetensorsWeights.open(dir::resolve);
    SafetensorsWeights blocks = SafetensorsWeights.open(dir::resolve, 100);
    try (var manager = DjlDecoderLoader.pytorch().newBaseManager()) {
      for (String name : whole.names()) {
        assertThat(blocks.loadFloat32(name, manager).toFloatArray())
            .as(name)
            .containsExactly(whole.loadFloat32(name, manager).toFloatArray());
      }
    }
  }

  @Test
  void rejectsUnsupportedArchitectureNamingIt(@TempDir Path dir) throws IOException {
    ObjectNode config = (ObjectNode) readJson(fixture("llama-tied").resolve("config.json"));
    config.put("model_type", "gpt2");
    config.putArray("architectures").add("GPT2LMHeadModel");
    Files.writeString(dir.resolve("config.json"), config.toString());
    assertThatThrownBy(() -> load(dir))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model_type 'gpt2'")
        .hasMessageContaining("GPT2LMHeadModel");
  }

  @Test
  void rejectsIntegerWeightsNamingTensorAndDtype() {
    assertThatThrownBy(() -> load(fixture("int8-weights")))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model.layers.0.mlp.up_proj.weight")
        .hasMessageContaining("dtype I8");
  }

  @Test
  void rejectsMissingCheckpoint(@TempDir Path dir) throws IOException {
    Files.copy(fixture("llama-tied").resolve("config.json"), dir.resolve("config.json"));
    assertThatThrownBy(() -> load(dir))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("neither model.safetensors nor model.safetensors.index.json");
  }

  @Test
  void rejectsUnsupportedRopeScaling(@TempDir Path dir) throws IOException {
    ObjectNode config = (ObjectNode) readJson(fixture("llama-tied").resolve("config.json"));
    config.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0);
    assertThatThrownBy(() -> LlamaConfig.parse(config))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("rope_scaling type 'yarn'");
  }

  @Test
  void linearRopeScalingDividesTheFrequencies() {
    ObjectNode config = (ObjectNode) readJson(fixture("llama-tied").resolve("config.json"));
    float[] plain = LlamaConfig.parse(config).invFreq();
    config.putObject("rope_scaling").put("type", "linear").put("factor", 4.0);
    float[] scaled = LlamaConfig.parse(config).invFreq();
    for (int i = 0; i < plain.length; i++) {
      assertThat(scaled[i]).isCloseTo(plain[i] / 4, Offset.offset(1e-9f));
    }
  }

  @Test
  void rejectsAFileThatIsNotSafetensors(@TempDir Path dir) throws IOException {
    Files.copy(fixture("llama-tied").resolve("config.json"), dir.resolve("config.json"));
    Files.writeString(dir.resolve("model.safetensors"), "this is not a checkpoint");
    assertThatThrownBy(() -> load(dir))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model.safetensors is not a safetensors file");
  }

  @Test
  void refusesToRunPastTheContextWindow() {
    try (LlamaDecoder decoder = load(fixture("llama-tied"));
        DecoderState state = decoder.newState()) {
      assertThat(decoder.config().contextWindow()).isEqualTo(256);
      step(decoder, state, new int[250]);
      assertThatThrownBy(() -> step(decoder, state, new int[7]))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("maximum context length is 256");
      assertThat(state.length()).isEqualTo(250);
    }
  }

  @Test
  void failsLoudlyAfterClose() {
    LlamaDecoder decoder = load(fixture("llama-tied"));
    DecoderState state = decoder.newState();
    state.close();
    assertThatThrownBy(() -> step(decoder, state, 1)).isInstanceOf(IllegalStateException.class);
    decoder.close();
    assertThatThrownBy(decoder::newState).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void reportsModelFacts() {
    try (LlamaDecoder decoder = load(fixture("qwen2-bias"))) {
      assertThat(decoder.config().modelType()).isEqualTo("qwen2");
      assertThat(decoder.config().vocabSize()).isEqualTo(96);
      assertThat(decoder.config().eosTokenIds()).containsExactly(2);
      assertThat(decoder.llamaConfig().slidingWindow()).as("qwen2 ignores sliding_window unless enabled").isZero();
      assertThat(decoder.device().isGpu()).isFalse();
    }
  }

  static LlamaDecoder load(Path dir) {
    return DjlDecoderLoader.load(readJson(dir.resolve("config.json")), dir::resolve, ModelSource.of(dir.toString()));
  }

  private static Offset<Float> within(float tolerance) {
    return Offset.offset(tolerance);
  }
}
