package dev.modelhost.spring;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.modelhost.ModelHost;
import dev.modelhost.defaultmodel.DefaultModel;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One server on a random port serving the project's own model ({@link DefaultModel#FORTUNE_LLAMA})
 * on the ONNX backend: what it writes under a JSON schema or a forced tool call is valid only
 * because constrained decoding masks every other token, so clients see real generation.
 */
@SpringBootTest(
    classes = TestServer.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "server.address=127.0.0.1")
abstract class LocalModelServerTestBase {

  static final String MODEL = "acme/fortunes";

  @LocalServerPort int port;

  @Autowired ModelHost host;

  /** All of the service here: Spring Boot binds an indexed list from one property source only. */
  @DynamicPropertySource
  static void service(DynamicPropertyRegistry registry) {
    registry.add("modelhost.services[0].owner", () -> "acme");
    registry.add("modelhost.services[0].name", () -> "fortunes");
    registry.add("modelhost.services[0].backend", () -> "onnx");
    registry.add("modelhost.services[0].options.threads", () -> "1");
    registry.add("modelhost.services[0].location", () -> DefaultModel.FORTUNE_LLAMA.directory().toString());
  }

  @BeforeEach
  void modelIsRunning() {
    host.awaitRunning(MODEL, Duration.ofMinutes(2));
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** A client that waits long enough for a busy machine and never retries, so each request is sent once. */
  OpenAIClient client() {
    return OpenAIOkHttpClient.builder().baseUrl(baseUrl() + "/v1").apiKey(TestServer.ACME_KEY)
        .maxRetries(0).timeout(Duration.ofMinutes(2)).build();
  }
}
