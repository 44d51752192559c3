package dev.modelhost.backend.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.modelhost.backend.onnx.bench.PlainOnnxLoop;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.engine.Decoder.Step;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.spi.ModelSource;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fixtures under {@code fixtures/} are the tiny-random model with other graph interfaces
 * (made by {@code tools/onnx-fixtures/make_fixtures.py}); each must decode like the original.
 */
class ModelLayoutsTest {

  private static final int[] PROMPT = {2044, 590, 10, 723, 305, 414};

  private static PlainOnnxLoop reference;

  @BeforeAll
  static void load() throws Exception {
    reference = PlainOnnxLoop.open(DefaultModel.TINY_RANDOM.directory(), 1);
  }

  @AfterAll
  static void close() throws Exception {
    reference.close();
  }

  // fp16 keeps 11 significant bits (about three decimal digits) of each cached key, value and
  // logit; this model's logits are below 1 in magnitude and move by less than 1e-3 (measured).
  @ParameterizedTest(name = "{0}")
  // GenAI graphs get no left padding: rows of different lengths run one call each.
  @CsvSource({
    "genai-int32, 1e-4, 2",
    "genai-combined, 1e-4, 2",
    "optimum-no-positions, 1e-4, 1",
    "optimum-fp16-external, 2e-3, 1",
  })
  void decodesLikeTheFloat32Original(String fixture, float tolerance, int callsForTwoLengths) throws Exception {
    Path directory = Path.of(ModelLayoutsTest.class.getResource("/fixtures/" + fixture).toURI());
    try (OnnxDecoder decoder = OnnxDecoder.load(ModelDirectory.open(directory), new ModelSource(directory.toString(), Map.of("threads", "1")))) {
      assertThat(decoder.config().vocabSize()).isEqualTo(2048);
      assertThat(decoder.config().contextWindow()).isEqualTo(512);
      assertThat(decoder.config().eosTokenIds()).containsExactlyInAnyOrder(2045, 2047);
      try (DecoderState first = decoder.newState(); DecoderState second = decoder.newState()) {
        float[][] prefill = decoder.step(List.of(new Step(first, PROMPT), new Step(second, PROMPT)));
        float[] expected = reference.lastLogitsWithoutCache(PROMPT);
        assertClose(prefill[0], expected, tolerance);
        assertClose(prefill[1], expected, tolerance);
        // Each row continues alone: its half of the shared cache is gathered into its own tensors.
        int[] sequence = PROMPT;
        for (int step = 0; step < 4; step++) {
          int next = PlainOnnxLoop.argmax(reference.lastLogitsWithoutCache(sequence));
          sequence = append(sequence, next);
          float[] logits = decoder.step(List.of(new Step(first, new int[] {next})))[0];
          assertClose(logits, reference.lastLogitsWithoutCache(sequence), tolerance);
          assertThat(PlainOnnxLoop.argmax(logits)).isEqualTo(PlainOnnxLoop.argmax(reference.lastLogitsWithoutCache(sequence)));
        }
        float[] other = decoder.step(List.of(new Step(second, new int[] {3})))[0];
        assertClose(other, reference.lastLogitsWithoutCache(append(PROMPT, 3)), tolerance);
        long runs = decoder.runs();
        float[][] together = decoder.step(List.of(new Step(first, new int[] {5}), new Step(second, new int[] {6})));
        assertThat(decoder.runs() - runs).isEqualTo(callsForTwoLengths);
        assertClose(together[0], reference.lastLogitsWithoutCache(append(sequence, 5)), tolerance);
        assertClose(together[1], reference.lastLogitsWithoutCache(append(append(PROMPT, 3), 6)), tolerance);
      }
    }
  }

  private static void assertClose(float[] actual, float[] expected, float tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat(actual[i]).as("logit %d", i).isCloseTo(expected[i], within(tolerance));
    }
  }

  private static int[] append(int[] tokens, int token) {
    int[] out = Arrays.copyOf(tokens, tokens.length + 1);
    out[tokens.length] = token;
    return out;
  }
}
