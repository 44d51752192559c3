package dev.modelhost;

import java.time.Duration;
import java.util.Iterator;

/**
 * A streamed answer, read with {@link #hasNext()}/{@link #next()} (blocking). Closing it before the
 * end cancels the generation and frees the replica. An error during generation is thrown from
 * {@code hasNext()} as a {@link dev.modelhost.exception.ModelhostException}.
 */
public interface ResponseStream<T> extends Iterator<T>, AutoCloseable {

  /** The response id every chunk carries. */
  String id();

  /**
   * Waits up to {@code timeout} for the next chunk, the end or an error, so that a caller can do
   * something else while the answer is slow to come (a server sends keep-alives to notice a client
   * that has gone). Returns true when {@link #hasNext()} will answer without blocking.
   */
  boolean awaitNext(Duration timeout);

  @Override
  void close();
}
