package dev.modelhost.backend.remote.internal;

import java.net.URI;
import java.time.Duration;

/**
 * One upstream base URL and its health, shared by every replica of the runtime. A failure ejects it
 * for a cool-down that doubles with each consecutive failure (up to 8 times the first); once it is
 * over one request that picks it is the probe, and a success makes it healthy again.
 */
final class Endpoint {

  private static final int MAX_COOLDOWN_DOUBLINGS = 3;

  private final URI baseUrl;
  private final Duration cooldown;
  private int consecutiveFailures;
  private long ejectedUntilNanos;
  private boolean ejected;

  Endpoint(URI baseUrl, Duration cooldown) {
    this.baseUrl = baseUrl;
    this.cooldown = cooldown;
  }

  URI baseUrl() {
    return baseUrl;
  }

  /** {@code baseUrl + "/" + path}. */
  URI resolve(String path) {
    return URI.create(baseUrl + "/" + path);
  }

  /**
   * Whether a request may use it now: healthy, or ejected with its cool-down over. In the latter
   * case this request becomes the probe and the cool-down is extended so that concurrent requests
   * keep away until the probe has answered.
   */
  synchronized boolean tryUse(long nowNanos) {
    if (!ejected) {
      return true;
    }
    if (nowNanos - ejectedUntilNanos < 0) {
      return false;
    }
    ejectedUntilNanos = nowNanos + cooldown.toNanos();
    return true;
  }

  synchronized boolean isEjected() {
    return ejected;
  }

  /** When an ejected endpoint may be probed again. */
  synchronized long ejectedUntilNanos() {
    return ejectedUntilNanos;
  }

  /** Ejects it; returns the cool-down applied. */
  synchronized Duration recordFailure(long nowNanos) {
    int doublings = Math.min(consecutiveFailures, MAX_COOLDOWN_DOUBLINGS);
    consecutiveFailures++;
    Duration applied = cooldown.multipliedBy(1L << doublings);
    ejected = true;
    ejectedUntilNanos = nowNanos + applied.toNanos();
    return applied;
  }

  /** Returns whether it had been ejected. */
  synchronized boolean recordSuccess() {
    boolean wasEjected = ejected;
    ejected = false;
    consecutiveFailures = 0;
    return wasEjected;
  }

  @Override
  public String toString() {
    return baseUrl.toString();
  }
}
