package dev.modelhost.exception;

import org.jspecify.annotations.Nullable;

/**
 * An upstream OpenAI-compatible server refused the request with a client error (HTTP 4xx). Keeps
 * the upstream's status and error fields, re-created by the remote backend with upstream URLs and
 * keys removed, so the caller sees the same error it would have got from the upstream.
 */
public class UpstreamException extends ModelhostException {

  public UpstreamException(
      String message, int httpStatus, String type, @Nullable String param, @Nullable String code) {
    super(message, checkClientError(httpStatus), type, param, code, null);
  }

  private static int checkClientError(int httpStatus) {
    if (httpStatus < 400 || httpStatus > 499) {
      throw new IllegalArgumentException("not a client error status: " + httpStatus);
    }
    return httpStatus;
  }
}
