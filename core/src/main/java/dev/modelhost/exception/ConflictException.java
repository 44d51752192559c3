package dev.modelhost.exception;

import org.jspecify.annotations.Nullable;

/** The request conflicts with the current state, e.g. a service name already taken (HTTP 409). */
public class ConflictException extends ModelhostException {

  public ConflictException(String message, @Nullable String param) {
    super(message, 409, "invalid_request_error", param, "conflict", null);
  }
}
