package dev.modelhost.exception;

import org.jspecify.annotations.Nullable;

/** The request is malformed or asks for something the service cannot do (HTTP 400). */
public class InvalidRequestException extends ModelhostException {

  public InvalidRequestException(String message, @Nullable String param, @Nullable String code) {
    super(message, 400, "invalid_request_error", param, code, null);
  }

  public InvalidRequestException(String message, @Nullable String param) {
    this(message, param, null);
  }

  protected InvalidRequestException(
      String message, int httpStatus, @Nullable String param, @Nullable String code) {
    super(message, httpStatus, "invalid_request_error", param, code, null);
  }
}
