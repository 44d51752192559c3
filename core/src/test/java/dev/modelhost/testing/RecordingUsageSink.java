package dev.modelhost.testing;

import dev.modelhost.spi.UsageRecord;
import dev.modelhost.spi.UsageSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Keeps every usage record; tests wait for the ones they expect. */
public final class RecordingUsageSink implements UsageSink {

  private final List<UsageRecord> records = new ArrayList<>();

  @Override
  public synchronized void record(UsageRecord record) {
    records.add(record);
    notifyAll();
  }

  public synchronized List<UsageRecord> records() {
    return List.copyOf(records);
  }

  /** Waits until at least {@code count} records match, then returns all that match. */
  public synchronized List<UsageRecord> await(Predicate<UsageRecord> filter, int count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<UsageRecord> matching = records.stream().filter(filter).toList();
      long left = deadline - System.nanoTime();
      if (matching.size() >= count || left <= 0) {
        return matching;
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  /** Waits for the one record of a request; fails the test when it does not come. */
  public UsageRecord awaitOne(String requestId) throws InterruptedException {
    List<UsageRecord> found = await(r -> r.requestId().equals(requestId), 1, Duration.ofSeconds(10));
    if (found.size() != 1) {
      throw new AssertionError("expected one usage record for " + requestId + ", got " + found);
    }
    return found.get(0);
  }
}
