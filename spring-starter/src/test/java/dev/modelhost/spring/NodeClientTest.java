package dev.modelhost.spring;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runs {@code src/test/node/client.test.mjs}, the {@code openai} npm package, against this server. */
class NodeClientTest extends ServerTestBase {

  @Test
  void theOpenAiNodePackageTalksToTheServer() throws IOException, InterruptedException {
    NodeTests.run("client.test.mjs", Map.of(
        "MODELHOST_BASE_URL", baseUrl() + "/v1",
        "MODELHOST_API_KEY", TestServer.ACME_KEY,
        "MODELHOST_MODEL", "acme/chat",
        "MODELHOST_HIDDEN_MODEL", "other/secret"), 5);
  }
}
