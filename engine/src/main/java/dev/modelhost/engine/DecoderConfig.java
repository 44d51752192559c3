package dev.modelhost.engine;

import java.util.Set;

/**
 * A loaded decoder's facts the engine needs.
 *
 * @param modelType architecture name from the model's config, e.g. {@code llama}
 * @param vocabSize rows of the logits
 * @param contextWindow maximum positions (prompt plus completion)
 * @param eosTokenIds tokens that end a sequence
 */
public record DecoderConfig(String modelType, int vocabSize, int contextWindow, Set<Integer> eosTokenIds) {

  public DecoderConfig {
    eosTokenIds = Set.copyOf(eosTokenIds);
  }
}
