package dev.modelhost.engine.internal;

import dev.modelhost.engine.DecoderConfig;
import dev.modelhost.engine.ModelDirectory;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * {@code generation_config.json}: the model's EOS ids and its authors' default sampling settings,
 * used when a request leaves them out.
 */
public record GenerationConfig(
    Set<Integer> eosTokenIds,
    @Nullable Double temperature,
    @Nullable Double topP,
    @Nullable Integer topK,
    @Nullable Double minP,
    @Nullable Double repetitionPenalty) {

  static final String FILE = "generation_config.json";

  public GenerationConfig {
    eosTokenIds = Set.copyOf(eosTokenIds);
  }

  public static GenerationConfig none() {
    return new GenerationConfig(Set.of(), null, null, null, null, null);
  }

  /** Reads the file when present. */
  public static GenerationConfig load(ModelDirectory dir) {
    if (!dir.exists(FILE)) {
      return none();
    }
    JsonNode json = dir.readJson(FILE);
    return new GenerationConfig(
        DecoderConfig.tokenIds(json.path("eos_token_id")),
        number(json.path("temperature")),
        number(json.path("top_p")),
        json.path("top_k").isIntegralNumber() ? json.path("top_k").asInt() : null,
        number(json.path("min_p")),
        number(json.path("repetition_penalty")));
  }

  private static @Nullable Double number(JsonNode node) {
    return node.isNumber() ? node.asDouble() : null;
  }
}
