package dev.modelhost.exception;

/** The key is valid but may not do this (HTTP 403). */
public class PermissionDeniedException extends ModelhostException {

  public PermissionDeniedException(String message) {
    super(message, 403, "invalid_request_error", null, "permission_denied", null);
  }
}
