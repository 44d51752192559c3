package dev.modelhost.spi;

import dev.modelhost.api.Usage;

/**
 * Receives a replica's output. Core turns it into a whole response or stream chunks with the
 * service's ids and model name, so backends never build response objects themselves.
 *
 * <p>A backend may call it from a thread that decodes many requests together, so the listener
 * never blocks and never throws because its request was cancelled or its reader left: it buffers,
 * and says through {@link #backlogged()} when its reader is behind. Backends learn of cancellation
 * from {@link InferenceRequest#cancellation()}.
 */
public interface GenerationListener {

  /** An increment of one choice; the last one of a choice carries its finish reason. Never blocks. */
  void onDelta(ChoiceDelta delta);

  /**
   * Whether the reader of a stream is behind (its buffer holds a stream buffer's worth of unread
   * chunks). A backend that steps many requests together leaves this one out of its steps while
   * true, instead of waiting for the reader and stalling the others; one that runs a request alone
   * may keep producing (the listener buffers).
   */
  default boolean backlogged() {
    return false;
  }

  /**
   * Token usage of the whole request, reported once before {@code execute} returns.
   *
   * @param estimated true when counted by us instead of reported by the model runtime or upstream
   */
  void onUsage(Usage usage, boolean estimated);
}
