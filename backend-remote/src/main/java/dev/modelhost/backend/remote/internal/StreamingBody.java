package dev.modelhost.backend.remote.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A response body read chunk by chunk with a time limit per chunk, closable from any thread. The
 * JDK's blocking body stream has no read timeout and its close is not guaranteed to wake a blocked
 * reader, so the body is subscribed to directly: one chunk is requested at a time (back-pressure)
 * and {@link #close()} both cancels the subscription, which makes the client drop the connection,
 * and wakes the reader.
 */
final class StreamingBody implements Flow.Subscriber<List<ByteBuffer>> {

  private static final Object END = new Object();
  private static final Object CLOSED = new Object();

  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private Flow.@Nullable Subscription subscription;
  private boolean closed;

  @Override
  public void onSubscribe(Flow.Subscription s) {
    boolean cancel;
    synchronized (this) {
      cancel = closed || subscription != null;
      if (!cancel) {
        subscription = s;
      }
    }
    if (cancel) {
      s.cancel();
    } else {
      s.request(1);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    queue.add(item);
  }

  @Override
  public void onError(Throwable throwable) {
    queue.add(throwable);
  }

  @Override
  public void onComplete() {
    queue.add(END);
  }

  /**
   * The next bytes, or null at the end of the body.
   *
   * @throws TimeoutException when nothing arrived within {@code timeout}
   * @throws IOException when the connection failed
   * @throws ClosedException when {@link #close()} was called
   */
  byte @Nullable [] next(Duration timeout) throws IOException, TimeoutException, ClosedException {
    synchronized (this) {
      if (closed) {
        throw new ClosedException();
      }
    }
    Object item;
    try {
      item = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new ClosedException();
    }
    if (item == null) {
      throw new TimeoutException();
    }
    if (item == END) {
      return null;
    }
    if (item == CLOSED) {
      queue.add(CLOSED);
      throw new ClosedException();
    }
    if (item instanceof Throwable failure) {
      throw failure instanceof IOException io ? io : new IOException(failure);
    }
    @SuppressWarnings("unchecked")
    List<ByteBuffer> buffers = (List<ByteBuffer>) item;
    requestMore();
    int size = buffers.stream().mapToInt(ByteBuffer::remaining).sum();
    byte[] bytes = new byte[size];
    int offset = 0;
    for (ByteBuffer buffer : buffers) {
      int n = buffer.remaining();
      buffer.get(bytes, offset, n);
      offset += n;
    }
    return bytes;
  }

  /**
   * The whole rest of the body, at most {@code limit} bytes (more is a {@link IOException}), each
   * chunk within {@code timeout}.
   */
  byte[] readAll(int limit, Duration timeout) throws IOException, TimeoutException, ClosedException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] bytes = next(timeout); bytes != null; bytes = next(timeout)) {
      if (out.size() + bytes.length > limit) {
        close();
        throw new IOException("response body larger than " + limit + " bytes");
      }
      out.write(bytes);
    }
    return out.toByteArray();
  }

  private void requestMore() {
    Flow.@Nullable Subscription s;
    synchronized (this) {
      s = closed ? null : subscription;
    }
    if (s != null) {
      s.request(1);
    }
  }

  /** Stops reading: the upstream connection is dropped and a waiting reader wakes up. */
  void close() {
    Flow.@Nullable Subscription s;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      s = subscription;
    }
    queue.add(CLOSED);
    if (s != null) {
      s.cancel();
    }
  }

  /** Reading stopped because {@link #close()} was called. */
  static final class ClosedException extends Exception {
    ClosedException() {
      super("closed");
    }
  }
}
