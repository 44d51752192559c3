package dev.modelhost.backend.onnx;

import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.spi.BatchingContractTest;
import dev.modelhost.spi.ModelSource;
import java.util.Map;

/** Eight requests batched on one ONNX replica answer as each does alone, token for token, on the default model. */
class OnnxBatchingContractTest extends BatchingContractTest {

  @Override
  protected String backendName() {
    return OnnxBackendProvider.NAME;
  }

  @Override
  protected ModelSource modelSource() {
    return new ModelSource(DefaultModel.FORTUNE_LLAMA.directory().toString(), Map.of("threads", "1"));
  }
}
