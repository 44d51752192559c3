package dev.modelhost.backend.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.modelhost.backend.onnx.bench.PlainOnnxLoop;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.engine.Decoder.Step;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.spi.ModelSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OnnxDecoderTest {

  private static final int[] PROMPT = {2044, 590, 10, 723, 305, 414, 282, 552};
  private static final int[] OTHER_PROMPT = {2044, 606, 1933, 63};
  private static final float TOLERANCE = 1e-4f;

  private static Path directory;
  private static OnnxDecoder decoder;
  private static PlainOnnxLoop reference;

  @BeforeAll
  static void load() throws Exception {
    directory = DefaultModel.TINY_RANDOM.directory();
    decoder = OnnxDecoder.load(ModelDirectory.open(directory), new ModelSource(directory.toString(), Map.of("threads", "1")));
    reference = PlainOnnxLoop.open(directory, 1);
  }

  @AfterAll
  static void close() throws Exception {
    decoder.close();
    reference.close();
  }

  @Test
  void readsTheModelsConfiguration() {
    assertThat(decoder.config().modelType()).isEqualTo("llama");
    assertThat(decoder.config().vocabSize()).isEqualTo(2048);
    assertThat(decoder.config().contextWindow()).isEqualTo(512);
    assertThat(decoder.config().eosTokenIds()).containsExactlyInAnyOrder(2045, 2047);
    assertThat(decoder.device()).isEqualTo("cpu");
  }

  @Test
  void greedyTokensEqualAPlainOnnxRuntimeLoop() throws Exception {
    List<Integer> expected = reference.greedy(PROMPT, 24).tokens();
    assertThat(greedy(PROMPT, 24)).isEqualTo(expected);
  }

  @Test
  void cachedDecodingGivesTheLogitsOfRecomputingTheWholeSequence() throws Exception {
    List<Integer> sequence = toList(PROMPT);
    try (DecoderState state = decoder.newState()) {
      float[] logits = single(state, PROMPT);
      for (int step = 0; step < 12; step++) {
        assertClose(logits, reference.lastLogitsWithoutCache(toArray(sequence)));
        int next = PlainOnnxLoop.argmax(logits);
        sequence.add(next);
        logits = single(state, new int[] {next});
      }
      assertThat(state.length()).isEqualTo(PROMPT.length + 12);
    }
  }

  @Test
  void equalPromptsRunAsOneBatchAndMatchASingleSequence() throws Exception {
    List<DecoderState> states = List.of(decoder.newState(), decoder.newState(), decoder.newState());
    try {
      long runs = decoder.runs();
      float[][] logits = decoder.step(states.stream().map(s -> new Step(s, PROMPT)).toList());
      assertThat(decoder.runs() - runs).isEqualTo(1);
      float[] expected = reference.lastLogitsWithoutCache(PROMPT);
      for (float[] row : logits) {
        assertClose(row, expected);
      }
      // The three rows now share one KV cache; each continues with a different token.
      int[] next = {PlainOnnxLoop.argmax(expected), 7, 1000};
      float[][] second = decoder.step(List.of(
          new Step(states.get(0), new int[] {next[0]}),
          new Step(states.get(1), new int[] {next[1]}),
          new Step(states.get(2), new int[] {next[2]})));
      assertThat(decoder.runs() - runs).isEqualTo(2);
      for (int r = 0; r < 3; r++) {
        assertClose(second[r], reference.lastLogitsWithoutCache(append(PROMPT, next[r])));
      }
    } finally {
      states.forEach(DecoderState::close);
    }
  }

  @Test
  void aRowThatLeavesItsBatchLeavesTheOthersIntact() throws Exception {
    DecoderState first = decoder.newState();
    DecoderState second = decoder.newState();
    DecoderState third = decoder.newState();
    decoder.step(List.of(new Step(first, PROMPT), new Step(second, PROMPT), new Step(third, PROMPT)));
    first.close();
    // The remaining rows are gathered from the shared cache, in a different order.
    float[][] logits = decoder.step(List.of(new Step(third, new int[] {5}), new Step(second, new int[] {9})));
    assertClose(logits[0], reference.lastLogitsWithoutCache(append(PROMPT, 5)));
    assertClose(logits[1], reference.lastLogitsWithoutCache(append(PROMPT, 9)));
    float[] alone = decoder.step(List.of(new Step(second, new int[] {11})))[0];
    assertClose(alone, reference.lastLogitsWithoutCache(append(append(PROMPT, 9), 11)));
    second.close();
    third.close();
  }

  @Test
  void sequencesOfDifferentLengthsDecodeTogetherLeftPadded() throws Exception {
    try (DecoderState a = decoder.newState(); DecoderState b = decoder.newState(); DecoderState c = decoder.newState()) {
      single(a, PROMPT);
      single(b, OTHER_PROMPT);
      long runs = decoder.runs();
      float[][] first = decoder.step(List.of(new Step(a, new int[] {42}), new Step(b, new int[] {43})));
      assertClose(first[0], reference.lastLogitsWithoutCache(append(PROMPT, 42)));
      assertClose(first[1], reference.lastLogitsWithoutCache(append(OTHER_PROMPT, 43)));
      // Again, from the padded cache as it is; then with a new sequence joining (all padding so far).
      float[][] second = decoder.step(List.of(new Step(a, new int[] {44}), new Step(b, new int[] {45})));
      assertClose(second[0], reference.lastLogitsWithoutCache(append(append(PROMPT, 42), 44)));
      assertClose(second[1], reference.lastLogitsWithoutCache(append(append(OTHER_PROMPT, 43), 45)));
      float[][] third = decoder.step(List.of(
          new Step(b, new int[] {46}), new Step(c, new int[] {2044}), new Step(a, new int[] {47})));
      assertThat(decoder.runs() - runs).isEqualTo(3);
      assertClose(third[0], reference.lastLogitsWithoutCache(append(append(append(OTHER_PROMPT, 43), 45), 46)));
      assertClose(third[1], reference.lastLogitsWithoutCache(new int[] {2044}));
      assertClose(third[2], reference.lastLogitsWithoutCache(append(append(append(PROMPT, 42), 44), 47)));
      assertThat(List.of(a.length(), b.length(), c.length()))
          .containsExactly(PROMPT.length + 3, OTHER_PROMPT.length + 3, 1);
    }
  }

  @Test
  void sequencesAddingDifferentNumbersOfTokensRunSeparately() throws Exception {
    try (DecoderState a = decoder.newState(); DecoderState b = decoder.newState(); DecoderState c = decoder.newState()) {
      single(a, PROMPT);
      long runs = decoder.runs();
      float[][] logits = decoder.step(List.of(
          new Step(a, new int[] {42}), new Step(b, OTHER_PROMPT), new Step(c, PROMPT)));
      assertThat(decoder.runs() - runs).isEqualTo(3);
      assertClose(logits[0], reference.lastLogitsWithoutCache(append(PROMPT, 42)));
      assertClose(logits[1], reference.lastLogitsWithoutCache(OTHER_PROMPT));
      assertClose(logits[2], reference.lastLogitsWithoutCache(PROMPT));
      assertThat(List.of(a.length(), b.length(), c.length()))
          .containsExactly(PROMPT.length + 1, OTHER_PROMPT.length, PROMPT.length);
    }
  }

  @Test
  void promptsFedInChunksOverSeveralStepsGiveTheSameLogits() throws Exception {
    // The engine feeds long prompts in chunks (its prefill-chunk option), while other rows decode.
    try (DecoderState a = decoder.newState();
        DecoderState b = decoder.newState();
        DecoderState c = decoder.newState()) {
      decoder.step(List.of(new Step(c, OTHER_PROMPT)));
      decoder.step(List.of(new Step(a, Arrays.copyOfRange(PROMPT, 0, 3)), new Step(b, Arrays.copyOfRange(PROMPT, 0, 3)),
          new Step(c, new int[] {7})));
      decoder.step(List.of(new Step(a, Arrays.copyOfRange(PROMPT, 3, 6)), new Step(b, Arrays.copyOfRange(PROMPT, 3, 6))));
      float[][] logits = decoder.step(List.of(
          new Step(a, Arrays.copyOfRange(PROMPT, 6, PROMPT.length)), new Step(b, Arrays.copyOfRange(PROMPT, 6, PROMPT.length)),
          new Step(c, new int[] {9})));
      float[] expected = reference.lastLogitsWithoutCache(PROMPT);
      assertClose(logits[0], expected);
      assertClose(logits[1], expected);
      assertClose(logits[2], reference.lastLogitsWithoutCache(append(append(OTHER_PROMPT, 7), 9)));
      assertClose(decoder.step(List.of(new Step(a, new int[] {5})))[0], reference.lastLogitsWithoutCache(append(PROMPT, 5)));
      assertThat(a.length()).isEqualTo(PROMPT.length + 1);
    }
  }

  @Test
  void manyChoicesOfALongPromptPrefillInSlicesThatKeepACallsLogitsBounded() throws Exception {
    // 20 rows x 500 positions x 2048 logits would be 20M floats in one call; the bound is 16M.
    int[] prompt = new int[500];
    for (int i = 0; i < prompt.length; i++) {
      prompt[i] = PROMPT[i % PROMPT.length];
    }
    List<DecoderState> states = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        states.add(decoder.newState());
      }
      long runs = decoder.runs();
      float[][] logits = decoder.step(states.stream().map(s -> new Step(s, prompt)).toList());
      assertThat(decoder.runs() - runs).isEqualTo(2);
      float[] expected = reference.lastLogitsWithoutCache(prompt);
      assertClose(logits[0], expected);
      assertClose(logits[19], expected);
      assertThat(states.get(19).length()).isEqualTo(prompt.length);
    } finally {
      states.forEach(DecoderState::close);
    }
  }

  @Test
  void threadsSteppingTheirOwnStatesOnTheSharedSessionGetTheirOwnResults() throws Exception {
    int[][] prompts = {PROMPT, OTHER_PROMPT, {2044, 7, 8, 9, 10, 11}, {2044, 1500}};
    List<List<Integer>> expected = new ArrayList<>();
    for (int[] prompt : prompts) {
      expected.add(reference.greedy(prompt, 16).tokens());
    }
    ExecutorService pool = Executors.newFixedThreadPool(prompts.length);
    try {
      List<Future<List<Integer>>> running = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (int[] prompt : prompts) {
          running.add(pool.submit(() -> greedy(prompt, 16)));
        }
      }
      for (int i = 0; i < running.size(); i++) {
        assertThat(running.get(i).get()).isEqualTo(expected.get(i % prompts.length));
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void rejectsTokensOutsideTheVocabulary() {
    try (DecoderState state = decoder.newState()) {
      assertThatThrownBy(() -> single(state, new int[] {1, 2048}))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("Token id 2048 is outside this model's vocabulary");
      assertThat(state.length()).isZero();
    }
  }

  @Test
  void rejectsASequenceLongerThanTheContextWindow() {
    try (DecoderState state = decoder.newState()) {
      assertThatThrownBy(() -> single(state, new int[513]))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("context window is 512");
    }
  }

  @Test
  void rejectsTheSameStateTwiceInOneBatch() {
    try (DecoderState state = decoder.newState()) {
      assertThatThrownBy(() -> decoder.step(List.of(new Step(state, PROMPT), new Step(state, PROMPT))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("repeats a state");
    }
  }

  @Test
  void aClosedStateOrDecoderFailsLoudly() {
    DecoderState state = decoder.newState();
    state.close();
    assertThatThrownBy(() -> single(state, PROMPT)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed state");

    OnnxDecoder other = OnnxDecoder.load(ModelDirectory.open(directory), ModelSource.of(directory.toString()));
    other.close();
    assertThatThrownBy(other::newState).isInstanceOf(IllegalStateException.class).hasMessageContaining("decoder is closed");
  }

  private static List<Integer> greedy(int[] prompt, int newTokens) {
    List<Integer> out = new ArrayList<>();
    try (DecoderState state = decoder.newState()) {
      float[] logits = single(state, prompt);
      for (int i = 0; i < newTokens; i++) {
        int next = PlainOnnxLoop.argmax(logits);
        out.add(next);
        if (i + 1 < newTokens) {
          logits = single(state, new int[] {next});
        }
      }
    }
    return out;
  }

  private static float[] single(DecoderState state, int[] tokens) {
    return decoder.step(List.of(new Step(state, tokens)))[0];
  }

  static void assertClose(float[] actual, float[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat(actual[i]).as("logit %d", i).isCloseTo(expected[i], within(TOLERANCE));
    }
  }

  private static int[] append(int[] tokens, int token) {
    int[] out = java.util.Arrays.copyOf(tokens, tokens.length + 1);
    out[tokens.length] = token;
    return out;
  }

  private static List<Integer> toList(int[] tokens) {
    List<Integer> list = new ArrayList<>();
    for (int t : tokens) {
      list.add(t);
    }
    return list;
  }

  private static int[] toArray(List<Integer> tokens) {
    return tokens.stream().mapToInt(Integer::intValue).toArray();
  }
}
