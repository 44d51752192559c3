package dev.modelhost.spring;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code src/test/node/constrained.test.mjs}: the {@code openai} npm package's zod helpers,
 * streamed and forced tool calls, against a server on the project's own model.
 */
class ConstrainedOutputNodeClientTest extends LocalModelServerTestBase {

  @Test
  void theOpenAiNodePackageGetsSchemaValidAnswersAndToolCalls() throws IOException, InterruptedException {
    NodeTests.run("constrained.test.mjs", Map.of(
        "MODELHOST_BASE_URL", baseUrl() + "/v1",
        "MODELHOST_API_KEY", TestServer.ACME_KEY,
        "MODELHOST_MODEL", MODEL), 3);
  }
}
