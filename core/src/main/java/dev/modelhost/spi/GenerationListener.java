package dev.modelhost.spi;

import dev.modelhost.api.Usage;

/**
 * Receives a replica's output. Core turns it into a whole response or stream chunks with the
 * service's ids and model name, so backends never build response objects themselves.
 */
public interface GenerationListener {

  /** An increment of one choice; the last one of a choice carries its finish reason. */
  void onDelta(ChoiceDelta delta);

  /**
   * Token usage of the whole request, reported once before {@code execute} returns.
   *
   * @param estimated true when counted by us instead of reported by the model runtime or upstream
   */
  void onUsage(Usage usage, boolean estimated);
}
