package dev.modelhost.exception;

import java.time.Duration;

/** The caller sent more than it is allowed to (HTTP 429 with {@code Retry-After}). */
public class RateLimitedException extends OverloadedException {

  public RateLimitedException(String message, Duration retryAfter) {
    super(message, 429, "rate_limit_exceeded", retryAfter);
  }
}
