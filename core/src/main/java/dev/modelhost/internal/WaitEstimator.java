package dev.modelhost.internal;

import java.time.Duration;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * How long a request that joins a service's queue now will wait for a replica: its queue position
 * times the recent service time, divided by the replicas' total capacity (the requests they run at
 * once). The recent service time is the median of the last {@link #WINDOW} requests that ran to
 * their end, so one slow or quick request does not swing it. Until a request has completed there is
 * no estimate. Not thread-safe: the replica pool calls it under its lock.
 */
final class WaitEstimator {

  static final int WINDOW = 32;

  private final long[] recent = new long[WINDOW];
  private int count;
  private int next;

  /** A request ran on a replica for {@code serviceNanos} and completed. */
  void record(long serviceNanos) {
    recent[next] = Math.max(0, serviceNanos);
    next = (next + 1) % WINDOW;
    count = Math.min(WINDOW, count + 1);
  }

  /** The median service time of the recent requests, or null before any completed. */
  @Nullable Duration recentServiceTime() {
    if (count == 0) {
      return null;
    }
    long[] sorted = Arrays.copyOf(recent, count);
    Arrays.sort(sorted);
    return Duration.ofNanos(sorted[count / 2]);
  }

  /**
   * The expected wait of a request at {@code position} (1 = next to start) when replicas with
   * {@code capacity} request slots in all are busy; null when there is no estimate yet or no ready
   * replica.
   */
  @Nullable Duration estimate(int position, int capacity) {
    Duration service = recentServiceTime();
    if (service == null || capacity <= 0) {
      return null;
    }
    return service.multipliedBy(position).dividedBy(capacity);
  }
}
