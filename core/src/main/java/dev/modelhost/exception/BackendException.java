package dev.modelhost.exception;

import org.jspecify.annotations.Nullable;

/**
 * A backend failed while serving a request (model runtime error, upstream failure). Never caused by
 * bad input: that is an {@link InvalidRequestException}.
 */
public class BackendException extends ModelhostException {

  private final boolean retriable;

  public BackendException(String message, @Nullable Throwable cause) {
    this(message, 500, "backend_error", false, cause);
  }

  public BackendException(
      String message, int httpStatus, String code, boolean retriable, @Nullable Throwable cause) {
    super(message, httpStatus, "server_error", null, code, cause);
    this.retriable = retriable;
  }

  @Override
  public boolean isRetriable() {
    return retriable;
  }
}
