package dev.modelhost.testing;

import dev.modelhost.spi.BackendContractTest;
import dev.modelhost.spi.ModelSource;
import java.util.Map;

/** Runs the backend contract against the scripted backend, found through its service registration. */
class ScriptedBackendContractTest extends BackendContractTest {

  @Override
  protected String backendName() {
    return ScriptedBackend.NAME;
  }

  @Override
  protected ModelSource modelSource() {
    return new ModelSource("scripted", Map.of("step-delay-ms", "1"));
  }
}
