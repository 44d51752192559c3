package dev.modelhost.engine;

import dev.modelhost.exception.ModelLoadException;
import java.util.HashSet;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A loaded decoder's facts the engine needs.
 *
 * @param modelType architecture name from the model's config, e.g. {@code llama}
 * @param vocabSize rows of the logits
 * @param contextWindow maximum positions (prompt plus completion)
 * @param eosTokenIds tokens that end a sequence
 */
public record DecoderConfig(String modelType, int vocabSize, int contextWindow, Set<Integer> eosTokenIds) {

  /** The Hugging Face model configuration file. */
  public static final String CONFIG_FILE = "config.json";

  public DecoderConfig {
    eosTokenIds = Set.copyOf(eosTokenIds);
  }

  /**
   * Reads {@code config.json} of a Hugging Face model: {@code model_type}, {@code vocab_size},
   * the context window ({@code max_position_embeddings}, or {@code n_positions},
   * {@code max_sequence_length}, {@code seq_length}) and {@code eos_token_id} (a number or a
   * list).
   *
   * @throws ModelLoadException when the file or one of the sizes is missing
   */
  public static DecoderConfig read(ModelDirectory dir) {
    JsonNode config = dir.readJson(CONFIG_FILE);
    String modelType = config.path("model_type").asString("");
    if (modelType.isEmpty()) {
      throw new ModelLoadException(CONFIG_FILE + " in " + dir + " has no model_type.");
    }
    int vocabSize = config.path("vocab_size").asInt(0);
    if (vocabSize <= 0) {
      throw new ModelLoadException(CONFIG_FILE + " in " + dir + " has no positive vocab_size.");
    }
    int window = 0;
    for (String key : new String[] {"max_position_embeddings", "n_positions", "max_sequence_length", "seq_length"}) {
      if (config.path(key).isIntegralNumber()) {
        window = config.path(key).asInt();
        break;
      }
    }
    if (window <= 0) {
      throw new ModelLoadException(CONFIG_FILE + " in " + dir + " states no context window (max_position_embeddings).");
    }
    return new DecoderConfig(modelType, vocabSize, window, tokenIds(config.path("eos_token_id")));
  }

  /** Token ids given as one number or a list of numbers (as {@code eos_token_id} is). */
  public static Set<Integer> tokenIds(JsonNode node) {
    Set<Integer> ids = new HashSet<>();
    if (node.isIntegralNumber()) {
      ids.add(node.asInt());
    }
    for (JsonNode id : node) {
      if (id.isIntegralNumber()) {
        ids.add(id.asInt());
      }
    }
    return ids;
  }
}
