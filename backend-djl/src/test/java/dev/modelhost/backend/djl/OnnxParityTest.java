package dev.modelhost.backend.djl;

import static dev.modelhost.backend.djl.internal.ReferenceCases.argmax;
import static dev.modelhost.backend.djl.internal.ReferenceCases.step;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.backend.onnx.internal.OnnxDecoder;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.engine.Decoder;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.spi.ModelSource;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shipped models hold the same weights as safetensors (read here) and as an ONNX graph (read by
 * the ONNX backend): both backends must decode the same greedy tokens with logits that agree.
 */
class OnnxParityTest {

  /** Two float32 implementations (libtorch, ONNX Runtime) of the same network: measured up to 2e-5. */
  private static final float LOGIT_TOLERANCE = 1e-4f;

  private static final int GREEDY_TOKENS = 24;

  private static final int[][] PROMPTS = {
    {2044, 310, 77, 1200, 5},
    {2044},
    {2044, 9, 1800, 640, 641, 642, 17, 300, 1999, 4, 88, 1024, 3, 3, 500},
  };

  @ParameterizedTest
  @EnumSource(DefaultModel.class)
  void greedyTokensAndLogitsAgreeWithTheOnnxBackend(DefaultModel model) {
    Path dir = model.directory();
    ModelSource source = new ModelSource(dir.toString(), Map.of("threads", "1"));
    try (Decoder djl = new DjlBackendProvider().loadDecoder(ModelDirectory.open(dir), source);
        Decoder onnx = OnnxDecoder.load(ModelDirectory.open(dir), source)) {
      for (int[] prompt : PROMPTS) {
        try (DecoderState djlState = djl.newState();
            DecoderState onnxState = onnx.newState()) {
          int[] tokens = prompt;
          for (int i = 0; i <= GREEDY_TOKENS; i++) {
            float[] expected = step(onnx, onnxState, tokens);
            float[] actual = step(djl, djlState, tokens);
            assertThat(actual).as("logits after %d greedy tokens", i)
                .containsExactly(expected, Offset.offset(LOGIT_TOLERANCE));
            assertThat(argmax(actual)).isEqualTo(argmax(expected));
            tokens = new int[] {argmax(expected)};
          }
        }
      }
    }
  }
}
