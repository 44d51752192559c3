package dev.modelhost.internal;

import dev.modelhost.ResponseStream;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.spi.Cancellation;
import java.util.ArrayDeque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A stream fed by the replica's thread through a bounded buffer: a reader that falls behind makes the
 * replica wait (back-pressure); closing the stream early cancels the generation and releases a
 * waiting replica at once.
 */
final class StreamingResponse<C> implements ResponseStream<C> {

  static final int BUFFER = 64;

  private final String id;
  private final Cancellation cancellation;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition readable = lock.newCondition();
  private final Condition writable = lock.newCondition();
  private final ArrayDeque<C> buffer = new ArrayDeque<>();
  private boolean ended;
  private boolean closed;
  private @Nullable ModelhostException error;

  StreamingResponse(String id, Cancellation cancellation) {
    this.id = id;
    this.cancellation = cancellation;
    // A cancellation from elsewhere (host shutdown) must free a producer waiting for an idle reader.
    cancellation.onCancel(this::wakeProducer);
  }

  private void wakeProducer() {
    lock.lock();
    try {
      writable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String id() {
    return id;
  }

  /** Adds chunks, waiting while the buffer is full; throws when the reader has closed the stream. */
  void push(List<C> chunks) {
    lock.lock();
    try {
      for (C chunk : chunks) {
        while (buffer.size() >= BUFFER && !closed && !cancellation.isCancelled()) {
          writable.await();
        }
        if (closed || cancellation.isCancelled()) {
          throw new RequestCancelledException("The stream was closed by its reader or cancelled.");
        }
        buffer.addLast(chunk);
        readable.signal();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RequestCancelledException("Interrupted while streaming.");
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
      C chunk = buffer.removeFirst();
      writable.signal();
      return chunk;
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
      writable.signalAll();
    } finally {
      lock.unlock();
    }
    if (unfinished) {
      cancellation.cancel();
    }
  }
}
