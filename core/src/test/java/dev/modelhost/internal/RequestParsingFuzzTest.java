package dev.modelhost.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.api.ErrorResponse;
import dev.modelhost.api.Json;
import dev.modelhost.api.ErrorMapper;

/**
 * Any bytes as a request body go through the same reading and validation as the HTTP API: the
 * outcome is an accepted request or a 4xx whose body is a valid OpenAI error, never another
 * exception and never a 5xx. Seeded with real request bodies (this class's {@code Inputs} folder).
 */
class RequestParsingFuzzTest {

  @FuzzTest(maxDuration = "4s")
  void anyBodyIsAcceptedOrRefusedWithA4xx(byte[] body) {
    check(() -> RequestValidator.validateChat(Json.read(body, ChatCompletionRequest.class), 8, false));
    check(() -> RequestValidator.validateCompletion(Json.read(body, CompletionRequest.class), 8, true));
  }

  private static void check(Runnable parseAndValidate) {
    try {
      parseAndValidate.run();
    } catch (RuntimeException refused) {
      ErrorMapper.MappedError mapped = ErrorMapper.map(refused);
      assertThat(mapped.status()).as("status for %s", refused).isBetween(400, 499);
      ErrorResponse written = Json.read(Json.mapper().writeValueAsBytes(mapped.body()), ErrorResponse.class);
      assertThat(written.error().message()).isNotBlank();
      assertThat(written.error().type()).isEqualTo("invalid_request_error");
    }
  }
}
