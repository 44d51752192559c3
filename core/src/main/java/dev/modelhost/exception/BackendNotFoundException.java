package dev.modelhost.exception;

/** No backend, or more than one, matches the requested backend name. */
public class BackendNotFoundException extends ModelhostException {

  public BackendNotFoundException(String message) {
    super(message, 400, "invalid_request_error", "backend", "backend_not_found", null);
  }
}
