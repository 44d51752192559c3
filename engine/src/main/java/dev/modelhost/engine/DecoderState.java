package dev.modelhost.engine;

/** One sequence's KV cache and position; owned by one sequence at a time. */
public interface DecoderState extends AutoCloseable {

  /** Tokens already in the cache (the next position id). */
  int length();

  /** Frees the cache. */
  @Override
  void close();
}
