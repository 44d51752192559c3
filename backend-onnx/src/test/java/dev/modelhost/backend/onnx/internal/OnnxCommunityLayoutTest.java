package dev.modelhost.backend.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.modelhost.api.Json;
import dev.modelhost.backend.onnx.OnnxBackendProvider;
import dev.modelhost.engine.Decoder.Step;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.ModelSource;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * The layout transformers.js models use (config and tokenizer at the root, {@code onnx/model.onnx}
 * and quantized siblings), and variants next to the configuration at the root. The service option
 * {@code variant} picks the graph; each is checked against a plain ONNX Runtime loop on that file.
 */
class OnnxCommunityLayoutTest {

  private static final int[] PROMPT = {2044, 590, 10, 723, 305, 414};
  private static final int HEAD_SIZE = 16;

  @TempDir Path temp;

  @ParameterizedTest(name = "variant={0}")
  @CsvSource(
      nullValues = "default",
      value = {
        "default, onnx/model.onnx, 1e-4",
        "fp32, onnx/model.onnx, 1e-4",
        "q4, onnx/model_q4.onnx, 1e-4",
        // float16 KV cache and logits, the weights in model_fp16.onnx_data
        "FP16, onnx/model_fp16.onnx, 2e-3",
      })
  void theVariantOptionPicksTheGraph(String variant, String graph, float tolerance) throws Exception {
    Path directory = fixture();
    ReferenceGreedyLoop.Result expected;
    try (ReferenceGreedyLoop reference = new ReferenceGreedyLoop(directory.resolve(graph), HEAD_SIZE)) {
      expected = reference.greedy(PROMPT, 4);
    }
    try (OnnxDecoder decoder = load(directory, variant)) {
      try (DecoderState state = decoder.newState()) {
        float[] logits = decoder.step(List.of(new Step(state, PROMPT)))[0];
        assertClose(logits, expected.firstLogits(), tolerance);
        for (int i = 1; i < expected.tokens().size(); i++) {
          logits = decoder.step(List.of(new Step(state, new int[] {expected.tokens().get(i - 1)})))[0];
          assertThat(ReferenceGreedyLoop.argmax(logits)).isEqualTo(expected.tokens().get(i));
        }
      }
    }
  }

  /**
   * transformers.js, asked for a dtype, picks its graph in the same folder by the same names
   * ({@code tools/onnx-fixtures/transformersjs_reference.mjs} recorded its logits).
   */
  @ParameterizedTest(name = "variant={0}")
  @CsvSource({"fp32, 1e-4", "q4, 1e-4", "fp16, 2e-3"})
  void eachVariantComputesWhatTransformersJsComputesForThatDtype(String variant, float tolerance) throws Exception {
    JsonNode recorded = Json.mapper().readTree(Files.readString(fixture().resolveSibling("onnx-community-transformersjs.json")));
    assertThat(recorded.path("prompt").toString()).isEqualTo(Arrays.toString(PROMPT).replace(" ", ""));
    JsonNode logits = recorded.path("logits").path(variant);
    float[] expected = new float[logits.size()];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = logits.get(i).floatValue();
    }
    try (OnnxDecoder decoder = load(fixture(), variant); DecoderState state = decoder.newState()) {
      assertClose(decoder.step(List.of(new Step(state, PROMPT)))[0], expected, tolerance);
    }
  }

  @Test
  void theQuantizedVariantIsADifferentGraph() throws Exception {
    Path directory = fixture();
    float[] full;
    float[] quantized;
    try (ReferenceGreedyLoop reference = new ReferenceGreedyLoop(directory.resolve("onnx/model.onnx"), HEAD_SIZE)) {
      full = reference.greedy(PROMPT, 1).firstLogits();
    }
    try (ReferenceGreedyLoop reference = new ReferenceGreedyLoop(directory.resolve("onnx/model_q4.onnx"), HEAD_SIZE)) {
      quantized = reference.greedy(PROMPT, 1).firstLogits();
    }
    float largest = 0;
    for (int i = 0; i < full.length; i++) {
      largest = Math.max(largest, Math.abs(full[i] - quantized[i]));
    }
    // 4-bit weights move the logits visibly, so the tests above tell the variants apart.
    assertThat(largest).isGreaterThan(1e-3f);
  }

  @Test
  void anUnknownVariantListsTheAvailableOnes() {
    assertThatThrownBy(() -> load(fixture(), "int4"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("Option variant=int4: no such variant")
        .hasMessageContaining("Available: fp32 (onnx/model.onnx), fp16 (onnx/model_fp16.onnx), q4 (onnx/model_q4.onnx).");
  }

  @Test
  void variantsAtTheRootWithoutAFullPrecisionGraphMustBeChosen() throws Exception {
    Path directory = Files.createDirectory(temp.resolve("root-variants"));
    copy(fixture(), directory, "config.json", "generation_config.json");
    Files.copy(fixture().resolve("onnx/model_q4.onnx"), directory.resolve("model_q4.onnx"));
    Files.copy(fixture().resolve("onnx/model.onnx"), directory.resolve("model_int8.onnx"));
    assertThatThrownBy(() -> load(directory, null))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("Several variants of model.onnx (root or onnx/) and no full-precision graph")
        .hasMessageContaining("choose one with the option variant (e.g. variant=int8)")
        .hasMessageContaining("Available: int8 (model_int8.onnx), q4 (model_q4.onnx).");
    try (OnnxDecoder decoder = load(directory, "q4");
        ReferenceGreedyLoop reference = new ReferenceGreedyLoop(directory.resolve("model_q4.onnx"), HEAD_SIZE);
        DecoderState state = decoder.newState()) {
      assertClose(decoder.step(List.of(new Step(state, PROMPT)))[0], reference.greedy(PROMPT, 1).firstLogits(), 1e-4f);
    }
  }

  @Test
  void theOnlyVariantIsUsedWithoutTheOption() throws Exception {
    Path directory = Files.createDirectory(temp.resolve("only-q4"));
    copy(fixture(), directory, "config.json", "generation_config.json");
    Files.createDirectory(directory.resolve("onnx"));
    Files.copy(fixture().resolve("onnx/model_q4.onnx"), directory.resolve("onnx/model_q4.onnx"));
    try (OnnxDecoder decoder = load(directory, null);
        ReferenceGreedyLoop reference = new ReferenceGreedyLoop(directory.resolve("onnx/model_q4.onnx"), HEAD_SIZE);
        DecoderState state = decoder.newState()) {
      assertClose(decoder.step(List.of(new Step(state, PROMPT)))[0], reference.greedy(PROMPT, 1).firstLogits(), 1e-4f);
    }
  }

  @Test
  void aGenAiDecoderFileHasSiblingVariantsToo() throws Exception {
    Path directory = Files.createDirectory(temp.resolve("genai"));
    Path llama = Path.of(getClass().getResource("/fixtures/decoder-types/llama").toURI());
    copy(llama, directory, "genai_config.json", "model.onnx");
    Files.copy(llama.resolve("model.onnx"), directory.resolve("model_int8.onnx"));
    load(directory, "int8").close();
    assertThatThrownBy(() -> load(directory, "q4"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("no such variant of model.onnx")
        .hasMessageContaining("Available: fp32 (model.onnx), int8 (model_int8.onnx).");
  }

  @Test
  void theWholeBackendServesTheLayoutWithTokenizerAtTheRoot() throws Exception {
    Map<String, String> options = new HashMap<>(Map.of("threads", "1", "variant", "q4"));
    try (ModelRuntime runtime = new OnnxBackendProvider().load(new ModelSource(fixture().toString(), options))) {
      assertThat(runtime.descriptor().contextWindow()).isEqualTo(512);
    }
  }

  private static void copy(Path from, Path to, String... names) throws IOException {
    for (String name : names) {
      Files.copy(from.resolve(name), to.resolve(name));
    }
  }

  private static void assertClose(float[] actual, float[] expected, float tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat(actual[i]).as("logit %d", i).isCloseTo(expected[i], within(tolerance));
    }
  }

  private static Path fixture() {
    try {
      return Path.of(OnnxCommunityLayoutTest.class.getResource("/fixtures/onnx-community").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static OnnxDecoder load(Path directory, String variant) {
    Map<String, String> options = new HashMap<>(Map.of("threads", "1"));
    if (variant != null) {
      options.put(ModelVariants.OPTION, variant);
    }
    return OnnxDecoder.load(ModelDirectory.open(directory), new ModelSource(directory.toString(), options));
  }
}
