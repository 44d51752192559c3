package dev.modelhost.backend.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.engine.Decoder.Step;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.backend.onnx.bench.PlainOnnxLoop;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.spi.ModelSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The default model's generator writes a greedy transcript computed with PyTorch
 * ({@code tools/default-model/transcript.txt}); ONNX Runtime through this decoder must produce the
 * same tokens from the exported graph.
 */
class FortuneTranscriptTest {

  private static final Path TRANSCRIPT = Path.of("..", "tools", "default-model", "transcript.txt");
  private static final int MAX_NEW_TOKENS = 64;

  static Stream<Arguments> transcript() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    String prompt = null;
    int[] promptIds = null;
    for (String line : Files.readAllLines(TRANSCRIPT)) {
      if (line.startsWith("prompt: ")) {
        prompt = line.substring("prompt: ".length());
      } else if (line.startsWith("prompt ids: ")) {
        promptIds = ids(line.substring("prompt ids: ".length()));
      } else if (line.startsWith("output ids: ")) {
        cases.add(Arguments.of(prompt, promptIds, ids(line.substring("output ids: ".length()))));
      }
    }
    assertThat(cases).as("cases in %s", TRANSCRIPT).isNotEmpty();
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transcript")
  void greedyTokensEqualThePyTorchTranscript(String prompt, int[] promptIds, int[] expected) {
    Path directory = DefaultModel.FORTUNE_LLAMA.directory();
    try (OnnxDecoder decoder = OnnxDecoder.load(ModelDirectory.open(directory), new ModelSource(directory.toString(), Map.of("threads", "1")));
        DecoderState state = decoder.newState()) {
      List<Integer> output = new ArrayList<>();
      int[] tokens = promptIds;
      while (output.size() < MAX_NEW_TOKENS) {
        int next = PlainOnnxLoop.argmax(decoder.step(List.of(new Step(state, tokens)))[0]);
        output.add(next);
        if (decoder.config().eosTokenIds().contains(next)) {
          break;
        }
        tokens = new int[] {next};
      }
      assertThat(output).containsExactlyElementsOf(Arrays.stream(expected).boxed().toList());
    }
  }

  private static int[] ids(String list) {
    String inner = list.trim().substring(1, list.trim().length() - 1);
    return inner.isBlank() ? new int[0] : Arrays.stream(inner.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
  }
}
