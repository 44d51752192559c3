package dev.modelhost.engine.internal;

import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.spi.ModelSource;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How a local replica batches, from the service's options.
 *
 * @param maxBatch {@code max-batch}: the most sequences one decoder step runs, and the requests a
 *     replica takes at once
 * @param prefillChunk {@code prefill-chunk}: the most prompt tokens one step feeds, in all
 * @param kvCacheTokens {@code kv-cache-tokens}: the most tokens the active sequences of one replica
 *     may hold in their KV caches together, each counted at its prompt plus its completion limit;
 *     {@link #UNBOUNDED} when the option is not set
 */
public record BatchOptions(int maxBatch, int prefillChunk, int kvCacheTokens) {

  public static final String MAX_BATCH = "max-batch";
  public static final String PREFILL_CHUNK = "prefill-chunk";
  public static final String KV_CACHE_TOKENS = "kv-cache-tokens";
  /** Every option the engine reads. */
  public static final Set<String> NAMES = Set.of(MAX_BATCH, PREFILL_CHUNK, KV_CACHE_TOKENS);
  /** Measured on the default model and a 100M-parameter model: see the architecture notes. */
  public static final int DEFAULT_MAX_BATCH = 8;
  public static final int DEFAULT_PREFILL_CHUNK = 256;
  /** No KV-cache budget: only {@code max-batch} bounds the active sequences. */
  public static final int UNBOUNDED = 0;
  private static final int MOST = 1024;

  public BatchOptions {
    require(MAX_BATCH, maxBatch);
    require(PREFILL_CHUNK, prefillChunk);
    if (kvCacheTokens < 0) {
      throw new IllegalArgumentException("kvCacheTokens < 0: " + kvCacheTokens);
    }
  }

  /**
   * Reads {@code max-batch}, {@code prefill-chunk} and {@code kv-cache-tokens}.
   *
   * @throws ConfigurationException naming the option when it is not a whole number from 1 to 1024
   *     (prefill chunks up to 65536, KV-cache tokens up to 2147483647)
   */
  public static BatchOptions of(ModelSource source) {
    return new BatchOptions(
        source.intOption(MAX_BATCH, DEFAULT_MAX_BATCH),
        source.intOption(PREFILL_CHUNK, DEFAULT_PREFILL_CHUNK),
        kvCacheTokens(source.option(KV_CACHE_TOKENS)));
  }

  /** Whether {@code kv-cache-tokens} bounds the active sequences. */
  public boolean kvCacheBounded() {
    return kvCacheTokens != UNBOUNDED;
  }

  private static int kvCacheTokens(@Nullable String value) {
    if (value == null) {
      return UNBOUNDED;
    }
    long tokens;
    try {
      tokens = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      tokens = -1;
    }
    if (tokens < 1 || tokens > Integer.MAX_VALUE) {
      throw new ConfigurationException("Option '" + KV_CACHE_TOKENS + "' must be a whole number of tokens from 1 to "
          + Integer.MAX_VALUE + " (leave it out for no budget), got '" + value + "'.", "options." + KV_CACHE_TOKENS);
    }
    return (int) tokens;
  }

  private static void require(String option, int value) {
    int most = option.equals(MAX_BATCH) ? MOST : 64 * MOST;
    if (value < 1 || value > most) {
      throw new ConfigurationException(
          "Option '" + option + "' must be from 1 to " + most + ", got " + value + ".", "options." + option,
          "invalid_value");
    }
  }
}
