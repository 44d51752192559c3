package dev.modelhost.exception;

/** The caller cancelled the request or went away before it finished. */
public class RequestCancelledException extends ModelhostException {

  public RequestCancelledException(String message) {
    // 499 is the de facto status for "client closed request"; it is never seen by a live client.
    super(message, 499, "invalid_request_error", null, "request_cancelled", null);
  }
}
