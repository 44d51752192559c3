package dev.modelhost.exception;

import java.time.Duration;

/**
 * No capacity now: the service's admission queue is full, the request waited past its deadline, or
 * the service has no running replica yet. Retriable after {@link #retryAfter()}.
 */
public class OverloadedException extends ModelhostException {

  private final Duration retryAfter;

  /** HTTP 503 with {@code Retry-After}: the service as a whole is short of capacity. */
  public OverloadedException(String message, Duration retryAfter) {
    this(message, 503, "service_unavailable", retryAfter);
  }

  protected OverloadedException(String message, int status, String code, Duration retryAfter) {
    super(message, status, status == 429 ? "rate_limit_exceeded" : "server_error", null, code, null);
    this.retryAfter = retryAfter;
  }

  /** How long the caller should wait before sending the request again. */
  public Duration retryAfter() {
    return retryAfter;
  }

  @Override
  public boolean isRetriable() {
    return true;
  }
}
