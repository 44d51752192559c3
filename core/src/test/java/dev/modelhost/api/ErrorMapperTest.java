package dev.modelhost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.modelhost.exception.AuthenticationException;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.BackendNotFoundException;
import dev.modelhost.exception.ConflictException;
import dev.modelhost.exception.ContextLengthExceededException;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.InvalidTypeException;
import dev.modelhost.exception.KvCacheBudgetExceededException;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.exception.OverloadedException;
import dev.modelhost.exception.PermissionDeniedException;
import dev.modelhost.exception.RateLimitedException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.exception.RequestTooLargeException;
import dev.modelhost.spi.ReplicaFailureException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonToken;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.node.ArrayNode;

/** Every exception type, Jackson's reading failures and unexpected errors, as callers see them. */
class ErrorMapperTest {

  static Stream<Arguments> everyExceptionType() {
    return Stream.of(
        row(new InvalidRequestException("Bad temperature.", "temperature"), 400, "invalid_request_error", "temperature", null),
        row(new InvalidTypeException("n", "an integer", JsonToken.VALUE_STRING), 400, "invalid_request_error", "n", "invalid_type"),
        row(new ContextLengthExceededException(2048, 2000, 100), 400, "invalid_request_error", "messages", "context_length_exceeded"),
        row(new KvCacheBudgetExceededException(1000, 200, 900, true, "messages", "max_tokens"), 400, "invalid_request_error",
            "max_tokens", "context_length_exceeded"),
        row(new KvCacheBudgetExceededException(1000, 1000, 24, true, "prompt", "max_tokens"), 400, "invalid_request_error",
            "prompt", "context_length_exceeded"),
        row(new BackendNotFoundException("No backend named 'gguf'."), 400, "invalid_request_error", "backend", "backend_not_found"),
        row(new AuthenticationException("Incorrect API key provided."), 401, "invalid_request_error", null, "invalid_api_key"),
        row(new PermissionDeniedException("This key may not create services."), 403, "invalid_request_error", null, "permission_denied"),
        row(NotFoundException.model("u-1/missing"), 404, "invalid_request_error", "model", "model_not_found"),
        row(new ConflictException("The name is taken.", "name"), 409, "invalid_request_error", "name", "conflict"),
        row(new RequestTooLargeException(1024), 413, "invalid_request_error", null, "request_too_large"),
        row(new RateLimitedException("Too many requests.", Duration.ofSeconds(2)), 429, "rate_limit_exceeded", null, "rate_limit_exceeded"),
        row(new RequestCancelledException("Cancelled."), 499, "invalid_request_error", null, "request_cancelled"),
        row(new BackendException("The model runtime failed.", null), 500, "server_error", null, "backend_error"),
        row(new ReplicaFailureException("The replica died.", null), 500, "server_error", null, "replica_failed"),
        row(new ModelLoadException("model.onnx is missing."), 500, "server_error", null, "model_load_failed"),
        row(new OverloadedException("No capacity.", Duration.ofMillis(1500)), 503, "server_error", null, "service_unavailable"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyExceptionType")
  void mapsEveryExceptionTypeToItsStatusAndFields(
      ModelhostException e, int status, String type, @Nullable String param, @Nullable String code) {
    ErrorMapper.MappedError mapped = ErrorMapper.map(e);

    assertThat(mapped.status()).isEqualTo(status);
    assertThat(mapped.body()).isEqualTo(ErrorResponse.of(e.getMessage(), type, param, code));
    assertThat(mapped.retryAfter() != null).isEqualTo(e instanceof OverloadedException);
  }

  @Test
  void carriesRetryAfterOfOverloadAndRateLimitInWholeSecondsRoundedUp() {
    assertThat(ErrorMapper.map(new OverloadedException("busy", Duration.ofMillis(1500))).retryAfterHeader()).isEqualTo("2");
    assertThat(ErrorMapper.map(new RateLimitedException("slow", Duration.ofSeconds(30))).retryAfterHeader()).isEqualTo("30");
    assertThat(ErrorMapper.map(new OverloadedException("busy", Duration.ZERO)).retryAfterHeader()).isEqualTo("1");
    assertThat(ErrorMapper.map(new NotFoundException("gone", null, null)).retryAfterHeader()).isNull();
  }

  @Test
  void hidesTheTextOfUnexpectedErrorsBehindAGeneric500() {
    ErrorMapper.MappedError mapped =
        ErrorMapper.map(new IllegalStateException("connect to db with password=hunter2 failed"));

    assertThat(mapped.status()).isEqualTo(500);
    assertThat(mapped.body().error().type()).isEqualTo("server_error");
    assertThat(mapped.body().error().message()).isEqualTo(ErrorMapper.SERVER_ERROR_MESSAGE);
    assertThat(ErrorMapper.toJson(mapped)).doesNotContain("hunter2", "IllegalStateException");
    assertThat(ErrorMapper.map(new StackOverflowError()).status()).isEqualTo(500);
  }

  @Test
  void unwrapsAsyncWrappersButNotArbitraryOnes() {
    assertThat(ErrorMapper.map(new CompletionException(NotFoundException.model("u-1/x"))).status()).isEqualTo(404);
    ErrorMapper.MappedError limited =
        ErrorMapper.map(new ExecutionException(new RateLimitedException("slow", Duration.ofSeconds(3))));
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.retryAfter()).isEqualTo(Duration.ofSeconds(3));
    // Wrapping ours in a bare RuntimeException is a bug; it shows as one.
    assertThat(ErrorMapper.map(new RuntimeException(new InvalidRequestException("bad", null))).status()).isEqualTo(500);
  }

  @Test
  void answersMalformedJsonWith400AndOpenAisHint() {
    JacksonException e = readFailure("{\"model\": \"m\", \"messages\": [");

    ErrorMapper.MappedError mapped = ErrorMapper.map(e);

    assertThat(mapped.status()).isEqualTo(400);
    assertThat(ErrorMapper.toJson(mapped)).isEqualTo(
        "{\"error\":{\"message\":\"" + ErrorMapper.UNPARSABLE_BODY_MESSAGE + "\","
            + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
    assertThat(ErrorMapper.toJson(mapped)).doesNotContain("line", "column", "Unexpected end");
  }

  @Test
  void answersBytesThatLookLikeBrokenUtf32With400() {
    // A body whose first bytes make Jackson's encoding detection pick UTF-32.
    byte[] body = {'{', 0, 0, 0, 3, '"', 'm', 'o', 'd', 'e', 'l', '"', ':', '1', '}'};
    JacksonException e = catchThrowableOfType(
        JacksonException.class, () -> Json.mapper().readValue(body, ChatCompletionRequest.class));

    ErrorMapper.MappedError mapped = ErrorMapper.map(e);

    assertThat(mapped.status()).isEqualTo(400);
    assertThat(mapped.body().error().message()).isEqualTo(ErrorMapper.UNPARSABLE_BODY_MESSAGE);
  }

  @Test
  void answersAWrongJsonTypeWith400NamingThePath() {
    ErrorMapper.MappedError temperature = ErrorMapper.map(readFailure("{\"temperature\": \"hot\"}"));
    ErrorMapper.MappedError n = ErrorMapper.map(readFailure("{\"n\": 1.5}"));
    ErrorMapper.MappedError content =
        ErrorMapper.map(readFailure("{\"messages\": [{\"role\": \"user\", \"content\": 5}]}"));

    assertThat(temperature.status()).isEqualTo(400);
    assertThat(temperature.body().error().param()).isEqualTo("temperature");
    assertThat(temperature.body().error().code()).isEqualTo("invalid_type");
    assertThat(n.body().error().param()).isEqualTo("n");
    assertThat(content.status()).isEqualTo(400);
    assertThat(content.body().error().param()).isEqualTo("messages[0].content");
    assertThat(content.body().error().message()).startsWith("Invalid type for 'messages[0].content'");
  }

  @Test
  void answersAValueAWireTypeRefusesWith400() {
    // A chat.completion without choices cannot be constructed.
    JacksonException e = catchThrowableOfType(
        JacksonException.class, () -> Json.mapper().readValue("{\"id\":\"x\",\"created\":1}", ChatCompletion.class));

    ErrorMapper.MappedError mapped = ErrorMapper.map(e);

    assertThat(mapped.status()).isEqualTo(400);
    assertThat(mapped.body().error().code()).isEqualTo("invalid_value");
  }

  @Test
  void answersAFailureToWriteJsonWith500() {
    JacksonException e = catchThrowableOfType(
        JacksonException.class, () -> Json.mapper().writeValueAsString(new Object()));

    assertThat(ErrorMapper.map(e).status()).isEqualTo(500);
  }

  @Test
  void answersAnUnreadableBodyStreamWith500() {
    InputStream broken = new InputStream() {
      @Override
      public int read() throws IOException {
        throw new IOException("connection reset");
      }
    };

    JacksonException e = catchThrowableOfType(
        JacksonException.class, () -> Json.mapper().readValue(broken, ChatCompletionRequest.class));

    assertThat(ErrorMapper.map(e).status()).isEqualTo(500);
  }

  @Test
  void answersTooDeeplyNestedJsonWith400() {
    String deep = "{\"tools\":[{\"type\":\"function\",\"function\":{\"parameters\":"
        + "[".repeat(2000) + "]".repeat(2000) + "}}]}";

    ErrorMapper.MappedError mapped = ErrorMapper.map(readFailure(deep));

    assertThat(mapped.status()).isEqualTo(400);
    assertThat(mapped.body().error().type()).isEqualTo("invalid_request_error");
  }

  @Test
  void answersAWriteLimitWith500() {
    ArrayNode deep = Json.mapper().createArrayNode();
    ArrayNode inner = deep;
    for (int i = 0; i < 2000; i++) {
      inner = inner.addArray();
    }

    JacksonException e = catchThrowableOfType(
        JacksonException.class, () -> Json.mapper().writeValueAsString(deep));

    assertThat(e).isInstanceOf(StreamConstraintsException.class);
    assertThat(ErrorMapper.map(e).status()).isEqualTo(500);
  }

  private static JacksonException readFailure(String body) {
    JacksonException e = catchThrowableOfType(
        JacksonException.class, () -> Json.mapper().readValue(body, ChatCompletionRequest.class));
    assertThat(e).as(body).isNotNull();
    return e;
  }

  private static Arguments row(ModelhostException e, int status, String type, @Nullable String param, @Nullable String code) {
    return Arguments.of(e, status, type, param, code);
  }
}
