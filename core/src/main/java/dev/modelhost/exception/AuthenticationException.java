package dev.modelhost.exception;

/** Missing or wrong API key (HTTP 401). */
public class AuthenticationException extends ModelhostException {

  public AuthenticationException(String message) {
    super(message, 401, "invalid_request_error", null, "invalid_api_key", null);
  }
}
