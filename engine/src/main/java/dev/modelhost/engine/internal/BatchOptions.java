package dev.modelhost.engine.internal;

import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.spi.ModelSource;

/**
 * How a local replica batches, from the service's options.
 *
 * @param maxBatch {@code max-batch}: the most sequences one decoder step runs, and the requests a
 *     replica takes at once
 * @param prefillChunk {@code prefill-chunk}: the most prompt tokens one step feeds, in all
 */
public record BatchOptions(int maxBatch, int prefillChunk) {

  public static final String MAX_BATCH = "max-batch";
  public static final String PREFILL_CHUNK = "prefill-chunk";
  /** Every option the engine reads. */
  public static final java.util.Set<String> NAMES = java.util.Set.of(MAX_BATCH, PREFILL_CHUNK);
  /** Measured on the default model and a 100M-parameter model: see the architecture notes. */
  public static final int DEFAULT_MAX_BATCH = 8;
  public static final int DEFAULT_PREFILL_CHUNK = 256;
  private static final int MOST = 1024;

  public BatchOptions {
    require(MAX_BATCH, maxBatch);
    require(PREFILL_CHUNK, prefillChunk);
  }

  /**
   * Reads {@code max-batch} and {@code prefill-chunk}.
   *
   * @throws InvalidRequestException naming the option when it is not a whole number from 1 to 1024
   *     (prefill chunks up to 65536)
   */
  public static BatchOptions of(ModelSource source) {
    return new BatchOptions(
        source.intOption(MAX_BATCH, DEFAULT_MAX_BATCH), source.intOption(PREFILL_CHUNK, DEFAULT_PREFILL_CHUNK));
  }

  private static void require(String option, int value) {
    int most = option.equals(MAX_BATCH) ? MOST : 64 * MOST;
    if (value < 1 || value > most) {
      throw new InvalidRequestException(
          "Option '" + option + "' must be from 1 to " + most + ", got " + value + ".", option, "invalid_value");
    }
  }
}
