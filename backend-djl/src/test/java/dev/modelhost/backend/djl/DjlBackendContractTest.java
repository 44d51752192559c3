package dev.modelhost.backend.djl;

import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.spi.BackendContractTest;
import dev.modelhost.spi.ModelSource;
import java.util.Map;

/**
 * The backend contract on the shipped fortune-llama model, run by libtorch on the CPU (tiny-random,
 * with tied random embeddings, repeats its last input token, a newline, and the contract wants text).
 */
class DjlBackendContractTest extends BackendContractTest {

  @Override
  protected String backendName() {
    return DjlBackendProvider.NAME;
  }

  @Override
  protected ModelSource modelSource() {
    return new ModelSource(DefaultModel.FORTUNE_LLAMA.directory().toString(), Map.of("threads", "1"));
  }
}
