package dev.modelhost.backend.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.api.Json;
import dev.modelhost.engine.Decoder.Step;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.spi.ModelSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.node.ObjectNode;

/**
 * One tiny random-weight decoder per type that ONNX Runtime GenAI's model builder writes, with the
 * builder's tensor names, types and genai_config.json ({@code tools/onnx-fixtures/decoder_types.py}).
 * Each must load and decode greedily to the tokens a plain ONNX Runtime loop gets from the same graph.
 */
class DecoderTypesTest {

  private static final int[] PROMPT = {5, 17, 250, 3, 99};
  private static final int NEW_TOKENS = 12;

  @TempDir Path temp;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // fixture, type, head size (the builder leaves the KV cache's last dimension symbolic)
    "gpt2, gpt2, 8",
    "llama, llama, 8",
    "mistral, mistral, 8",
    "phi, phi, 8",
    "phi3, phi3, 8",
    // the builder's CPU int4 output: MatMulNBits weights in model.onnx.data
    "phi3-int4, phi3, 8",
    "qwen2, qwen2, 8",
    "gemma, gemma, 16",
  })
  void decodesGreedilyLikeAPlainOnnxRuntimeLoop(String fixture, String type, int headSize) throws Exception {
    Path directory = fixture(fixture);
    List<Integer> expected;
    try (ReferenceGreedyLoop reference = new ReferenceGreedyLoop(directory.resolve("model.onnx"), headSize)) {
      expected = reference.greedy(PROMPT, NEW_TOKENS).tokens();
    }
    try (OnnxDecoder decoder = load(directory)) {
      assertThat(decoder.config().modelType()).isEqualTo(type);
      assertThat(decoder.config().vocabSize()).isEqualTo(320);
      assertThat(decoder.config().contextWindow()).isEqualTo(128);
      assertThat(decoder.config().eosTokenIds()).containsExactly(2);
      assertThat(greedy(decoder)).as("greedy tokens of %s", type).isEqualTo(expected);
    }
    // Random weights still give a varied continuation, so equal lists say something.
    assertThat(Set.copyOf(expected)).hasSizeGreaterThan(2);
  }

  @Test
  void aGenAiConfigWithoutWhatTheGraphTellsStillLoads() throws Exception {
    Path directory = copy("llama");
    // Layers from the KV inputs, KV heads from their fixed dimension, vocabulary from the logits,
    // head size from hidden_size / num_attention_heads.
    editModel(directory, model -> {
      model.remove("vocab_size");
      ((ObjectNode) model.get("decoder")).remove(List.of("num_hidden_layers", "num_key_value_heads", "head_size"));
    });
    List<Integer> expected;
    try (ReferenceGreedyLoop reference = new ReferenceGreedyLoop(directory.resolve("model.onnx"), 8)) {
      expected = reference.greedy(PROMPT, NEW_TOKENS).tokens();
    }
    try (OnnxDecoder decoder = load(directory)) {
      assertThat(decoder.config().vocabSize()).isEqualTo(320);
      assertThat(greedy(decoder)).isEqualTo(expected);
    }
  }

  @Test
  void aDimensionNeitherConfiguredNorDerivableIsNamedWithItsFile() throws Exception {
    Path directory = copy("llama");
    editModel(directory, model -> ((ObjectNode) model.get("decoder")).remove(List.of("head_size", "hidden_size")));
    assertThatThrownBy(() -> load(directory))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model.onnx (configured by genai_config.json): model.decoder.head_size is not configured")
        .hasMessageContaining("'past_key_values.0.key' has no fixed size at axis 3");
  }

  @Test
  void aGenAiConfigWithoutAContextLengthIsRefusedAsTheReferenceRuntimeDoes() throws Exception {
    Path directory = copy("phi3");
    editModel(directory, model -> model.remove("context_length"));
    assertThatThrownBy(() -> load(directory))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("genai_config.json: required field model.context_length is missing");
  }

  private static List<Integer> greedy(OnnxDecoder decoder) {
    List<Integer> tokens = new ArrayList<>();
    try (DecoderState state = decoder.newState()) {
      float[] logits = decoder.step(List.of(new Step(state, PROMPT)))[0];
      for (int i = 0; i < NEW_TOKENS; i++) {
        int next = ReferenceGreedyLoop.argmax(logits);
        tokens.add(next);
        logits = decoder.step(List.of(new Step(state, new int[] {next})))[0];
      }
    }
    return tokens;
  }

  private static void editModel(Path directory, Consumer<ObjectNode> edit) throws IOException {
    Path file = directory.resolve("genai_config.json");
    ObjectNode root = (ObjectNode) Json.mapper().readTree(Files.readString(file));
    edit.accept((ObjectNode) root.get("model"));
    Files.writeString(file, Json.mapper().writeValueAsString(root));
  }

  private Path copy(String type) throws IOException {
    Path target = Files.createDirectory(temp.resolve(type));
    for (String file : List.of("genai_config.json", "model.onnx")) {
      Files.copy(fixture(type).resolve(file), target.resolve(file));
    }
    return target;
  }

  private static Path fixture(String type) {
    try {
      return Path.of(DecoderTypesTest.class.getResource("/fixtures/decoder-types/" + type).toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static OnnxDecoder load(Path directory) {
    return OnnxDecoder.load(ModelDirectory.open(directory), new ModelSource(directory.toString(), Map.of("threads", "1")));
  }
}
