package dev.modelhost.spi;

import dev.modelhost.exception.RequestCancelledException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Cancels one request from any thread. Backends poll {@link #isCancelled()} between steps or
 * register a callback (e.g. to abort an upstream HTTP call).
 */
public final class Cancellation {

  private volatile boolean cancelled;
  private final List<Runnable> callbacks = new CopyOnWriteArrayList<>();

  public boolean isCancelled() {
    return cancelled;
  }

  /** Cancels; callbacks run once, on the calling thread. */
  public void cancel() {
    if (cancelled) {
      return;
    }
    synchronized (this) {
      if (cancelled) {
        return;
      }
      cancelled = true;
    }
    callbacks.forEach(Runnable::run);
  }

  /** Runs {@code callback} when cancelled (at once if already). */
  public void onCancel(Runnable callback) {
    synchronized (this) {
      if (!cancelled) {
        callbacks.add(callback);
        return;
      }
    }
    callback.run();
  }

  /** Throws {@link RequestCancelledException} if cancelled. */
  public void throwIfCancelled() {
    if (cancelled) {
      throw new RequestCancelledException("The request was cancelled.");
    }
  }
}
