package dev.modelhost.backend.remote;

import dev.modelhost.spi.BackendContractTest;
import dev.modelhost.spi.ModelSource;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/** The backend contract against a scripted upstream model server on loopback. */
class RemoteBackendContractTest extends BackendContractTest {

  private final ScriptedUpstream upstream;

  RemoteBackendContractTest() throws IOException {
    upstream = new ScriptedUpstream().otherwise(ScriptedUpstream.storyModel(Duration.ofMillis(2)));
  }

  @Override
  protected String backendName() {
    return RemoteBackendProvider.NAME;
  }

  @Override
  protected ModelSource modelSource() {
    return new ModelSource(upstream.baseUrl(), Map.of("api-key", "sk-contract-test-key", "upstream-model", "story"));
  }

  @AfterAll
  void closeUpstream() throws IOException {
    upstream.close();
  }
}
