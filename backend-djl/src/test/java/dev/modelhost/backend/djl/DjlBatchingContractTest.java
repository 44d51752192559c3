package dev.modelhost.backend.djl;

import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.spi.BatchingContractTest;
import dev.modelhost.spi.ModelSource;
import java.util.Map;

/** Eight requests batched on one DJL replica answer as each does alone, on the default model's safetensors. */
class DjlBatchingContractTest extends BatchingContractTest {

  @Override
  protected String backendName() {
    return DjlBackendProvider.NAME;
  }

  @Override
  protected ModelSource modelSource() {
    return new ModelSource(DefaultModel.FORTUNE_LLAMA.directory().toString(), Map.of("threads", "1"));
  }
}
