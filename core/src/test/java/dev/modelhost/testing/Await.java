package dev.modelhost.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition that another thread makes true. */
public final class Await {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Await() {}

  public static void until(String what, BooleanSupplier condition) {
    until(what, TIMEOUT, condition);
  }

  /** As {@link #until(String, BooleanSupplier)}, for conditions a busy machine may take longer to reach. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + what, e);
      }
    }
  }
}
