package dev.modelhost;

import java.util.Iterator;

/**
 * A streamed answer, read with {@link #hasNext()}/{@link #next()} (blocking). Closing it before the
 * end cancels the generation and frees the replica. An error during generation is thrown from
 * {@code hasNext()} as a {@link dev.modelhost.exception.ModelhostException}.
 */
public interface ResponseStream<T> extends Iterator<T>, AutoCloseable {

  /** The response id every chunk carries. */
  String id();

  @Override
  void close();
}
