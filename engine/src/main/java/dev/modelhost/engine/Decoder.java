package dev.modelhost.engine;

import java.util.List;

/**
 * What a local backend implements: a loaded decoder-only language model that runs one step for a
 * batch of sequences, each with its own KV cache. Everything else (tokenizer, chat template,
 * sampling, stop sequences, streaming) is the shared engine's ({@link LocalBackendProvider}).
 *
 * <p>The weights are loaded once and shared; {@link #step} is thread-safe across distinct states.
 */
public interface Decoder extends AutoCloseable {

  /** Dimensions and token ids of the loaded model. */
  DecoderConfig config();

  /**
   * Bytes one token takes in a sequence's KV cache (layers × KV heads × head size × 2 for key and
   * value × bytes per element), or 0 when the decoder cannot tell. The engine reports it at load so
   * that the {@code kv-cache-tokens} option can be sized in memory.
   */
  default long kvBytesPerToken() {
    return 0;
  }

  /** A new, empty per-sequence state (KV cache at length 0). */
  DecoderState newState();

  /**
   * Feeds each sequence its new tokens (the whole prompt, or one sampled token), appends to its KV
   * cache, and returns the logits of each sequence's last new position, one row of
   * {@link DecoderConfig#vocabSize()} per batch entry, in batch order.
   *
   * <p>Entries may carry different numbers of tokens (the prompts of several choices prefilled
   * together) and states of different lengths; the decoder pads as its runtime needs. The engine
   * may modify the returned rows. It closes every state it created, also after a failure.
   * Position {@code state.length() + tokens.length} never exceeds
   * {@link DecoderConfig#contextWindow()}.
   *
   * @throws dev.modelhost.exception.BackendException when the runtime fails
   */
  float[][] step(List<Step> batch);

  /** Frees the weights. States must be closed first. */
  @Override
  void close();

  /** One sequence's input for a step. */
  record Step(DecoderState state, int[] tokens) {}
}
