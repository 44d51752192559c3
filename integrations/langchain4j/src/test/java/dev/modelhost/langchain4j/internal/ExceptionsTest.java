package dev.modelhost.langchain4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.exception.TimeoutException;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.ContextLengthExceededException;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.exception.OverloadedException;
import dev.modelhost.exception.PermissionDeniedException;
import dev.modelhost.exception.RateLimitedException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.exception.UpstreamException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of Modelhost error becomes the LangChain4j exception its HTTP status calls for. */
class ExceptionsTest {

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of(new dev.modelhost.exception.InvalidRequestException("bad", "temperature", "invalid_value"),
            InvalidRequestException.class),
        Arguments.of(new ContextLengthExceededException(64, 80, 16), InvalidRequestException.class),
        Arguments.of(new dev.modelhost.exception.AuthenticationException("no key"), AuthenticationException.class),
        Arguments.of(new PermissionDeniedException("not yours"), AuthenticationException.class),
        Arguments.of(NotFoundException.model("local/missing"), ModelNotFoundException.class),
        Arguments.of(new NotFoundException("no such key", "key", "not_found"), InvalidRequestException.class),
        Arguments.of(new UpstreamException("slow", 408, "invalid_request_error", null, "timeout"), TimeoutException.class),
        Arguments.of(new RateLimitedException("too many", Duration.ofSeconds(1)), RateLimitException.class),
        Arguments.of(new OverloadedException("busy", Duration.ofSeconds(1)), InternalServerException.class),
        Arguments.of(new BackendException("broke", 504, "upstream_timeout", true, null), TimeoutException.class),
        Arguments.of(new BackendException("broke", null), InternalServerException.class),
        Arguments.of(new RequestCancelledException("cancelled"), LangChain4jException.class));
  }

  @ParameterizedTest
  @MethodSource("errors")
  void mapsByStatusKeepingTheModelhostExceptionAsCause(ModelhostException error, Class<?> expected) {
    RuntimeException mapped = Exceptions.toLangChain4j(error);

    assertThat(mapped).isExactlyInstanceOf(expected).hasMessage(error.getMessage()).hasCause(error);
    assertThat(mapped instanceof RetriableException)
        .isEqualTo(error.httpStatus() == 408 || error.httpStatus() == 429 || error.httpStatus() >= 500);
  }
}
