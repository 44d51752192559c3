package dev.modelhost.langchain4j.internal;

import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.modelhost.exception.ModelhostException;

/**
 * Modelhost's errors as LangChain4j's exception types, chosen by HTTP status as LangChain4j's own
 * providers choose them, so that its retry logic treats both alike (429, 5xx and timeouts are
 * retriable). The Modelhost exception stays the cause, with its {@code param} and {@code code}.
 */
public final class Exceptions {

  private Exceptions() {}

  public static RuntimeException toLangChain4j(RuntimeException error) {
    if (!(error instanceof ModelhostException modelhost)) {
      return error;
    }
    String message = modelhost.getMessage();
    int status = modelhost.httpStatus();
    if (status == 401 || status == 403) {
      return new AuthenticationException(message, modelhost);
    }
    if (status == 404 && "model_not_found".equals(modelhost.code())) {
      return new ModelNotFoundException(message, modelhost);
    }
    if (status == 408 || status == 504) {
      return new TimeoutException(message, modelhost);
    }
    if (status == 429) {
      return new RateLimitException(message, modelhost);
    }
    if (status >= 500) {
      return new InternalServerException(message, modelhost);
    }
    if (status == 499) {
      // Cancelled by the caller: neither the request's fault nor worth a retry.
      return new LangChain4jException(message, modelhost);
    }
    return new InvalidRequestException(message, modelhost);
  }
}
