package dev.modelhost.spring.internal;

import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.exception.RequestTooLargeException;
import org.jspecify.annotations.Nullable;

/** HTTP-level refusals that only the web layer raises (wrong method, media type, route, URL). */
final class StatusExceptions {

  private StatusExceptions() {}

  /** A client error with a status of its own (405, 415, 400 for a malformed URL, ...). */
  static final class HttpStatusException extends InvalidRequestException {
    HttpStatusException(String message, int status, @Nullable String code) {
      super(message, status, null, code);
    }
  }

  static HttpStatusException methodNotAllowed(String method, String path) {
    return new HttpStatusException("Method " + method + " is not allowed for " + path + ".", 405, "method_not_allowed");
  }

  static HttpStatusException unsupportedMediaType(@Nullable String contentType) {
    return new HttpStatusException(
        "Unsupported Content-Type '" + contentType + "': send the body as application/json.",
        415, "unsupported_media_type");
  }

  /** A route that does not exist, worded as OpenAI does. */
  static NotFoundException unknownRoute(String method, String path) {
    return new NotFoundException("Invalid URL (" + method + " " + path + ")", null, "unknown_url");
  }

  /** The error for a status that the servlet container or Spring MVC answered by itself. */
  static ModelhostException forStatus(int status, String method, String path, long maxBodyBytes) {
    if (status >= 500) {
      return new BackendException("The server had an error while processing your request.", status,
          "server_error", false, null);
    }
    return switch (status) {
      case 404 -> unknownRoute(method, path);
      case 405 -> methodNotAllowed(method, path);
      case 413 -> new RequestTooLargeException(maxBodyBytes);
      case 415 -> unsupportedMediaType(null);
      default -> new HttpStatusException("The request could not be processed (" + method + " " + path + ").",
          status, "bad_request");
    };
  }
}
