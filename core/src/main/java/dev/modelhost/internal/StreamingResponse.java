package dev.modelhost.internal;

import dev.modelhost.ResponseStream;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.spi.Cancellation;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A stream fed by the replica: the producer never waits. Chunks queue until the reader takes them;
 * once {@link #BUFFER} are unread the stream is {@linkplain #backlogged() backlogged}, and a batching
 * backend pauses this request alone until the reader catches up (its other requests go on). Closing
 * the stream early cancels the generation; what is produced after that is dropped.
 */
final class StreamingResponse<C> implements ResponseStream<C> {

  static final int BUFFER = 64;

  private final String id;
  private final Cancellation cancellation;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition readable = lock.newCondition();
  private final ArrayDeque<C> buffer = new ArrayDeque<>();
  private boolean ended;
  private boolean closed;
  private @Nullable ModelhostException error;

  StreamingResponse(String id, Cancellation cancellation) {
    this.id = id;
    this.cancellation = cancellation;
  }

  @Override
  public String id() {
    return id;
  }

  /** Adds chunks without waiting; after the reader closed the stream, drops them. */
  void offer(List<C> chunks) {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      buffer.addAll(chunks);
      readable.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Whether {@link #BUFFER} or more chunks are unread. */
  boolean backlogged() {
    lock.lock();
    try {
      return buffer.size() >= BUFFER && !closed;
    } finally {
      lock.unlock();
    }
  }

  void end(@Nullable ModelhostException failure) {
    lock.lock();
    try {
      ended = true;
      error = failure;
      readable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean awaitNext(Duration timeout) {
    lock.lock();
    try {
      long left = timeout.toNanos();
      while (buffer.isEmpty() && !ended && !closed && left > 0) {
        left = readable.awaitNanos(left);
      }
      return !buffer.isEmpty() || ended || closed;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      // hasNext() answers at once on an interrupted thread: it closes the stream and throws.
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean hasNext() {
    lock.lock();
    try {
      while (buffer.isEmpty() && !ended && !closed) {
        readable.await();
      }
      if (!buffer.isEmpty()) {
        return true;
      }
      if (error != null && !closed) {
        throw error;
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
    close();
    throw new RequestCancelledException("Interrupted while reading the stream.");
  }

  @Override
  public C next() {
    lock.lock();
    try {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return buffer.removeFirst();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    boolean unfinished;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      unfinished = !ended;
      buffer.clear();
      readable.signalAll();
    } finally {
      lock.unlock();
    }
    if (unfinished) {
      cancellation.cancel();
    }
  }
}
