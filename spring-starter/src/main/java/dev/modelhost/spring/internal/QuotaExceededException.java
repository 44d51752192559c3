package dev.modelhost.spring.internal;

import dev.modelhost.exception.OverloadedException;
import java.time.Duration;

/** A key spent its budget for the period: 429 {@code insufficient_quota}, as OpenAI answers it. */
final class QuotaExceededException extends OverloadedException {

  QuotaExceededException(String message, Duration retryAfter) {
    super(message, 429, "insufficient_quota", retryAfter);
  }
}
