package dev.modelhost.backend.onnx;

import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.spi.BackendContractTest;
import dev.modelhost.spi.ModelSource;
import java.util.Map;

/**
 * The shared backend behaviours, served by ONNX Runtime from the fortune-llama default model: the
 * contract wants visible text, and tiny-random (tied random embeddings) repeats its last input
 * token, a newline.
 */
class OnnxBackendContractTest extends BackendContractTest {

  @Override
  protected String backendName() {
    return OnnxBackendProvider.NAME;
  }

  @Override
  protected ModelSource modelSource() {
    return new ModelSource(DefaultModel.FORTUNE_LLAMA.directory().toString(), Map.of("threads", "1"));
  }
}
