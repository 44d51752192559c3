package dev.modelhost.engine.internal;

import dev.modelhost.engine.DecoderConfig;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.exception.ModelLoadException;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * {@code generation_config.json}: the model's EOS ids and its authors' default sampling settings,
 * used when a request leaves them out.
 */
record GenerationConfig(
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

  /**
   * Reads the file when present.
   *
   * @throws ModelLoadException when a sampling default is not a number or out of its range
   *     (temperature 0 or more, top_p in (0, 1], top_k -1 or more, min_p in [0, 1],
   *     repetition_penalty above 0), so that a bad file fails the load rather than later requests
   */
  public static GenerationConfig load(ModelDirectory dir) {
    if (!dir.exists(FILE)) {
      return none();
    }
    JsonNode json = dir.readJson(FILE);
    Double temperature = number(json, "temperature");
    check(temperature == null || temperature >= 0, json, "temperature", "0 or more");
    Double topP = number(json, "top_p");
    check(topP == null || (topP > 0 && topP <= 1), json, "top_p", "greater than 0 and at most 1");
    Double minP = number(json, "min_p");
    check(minP == null || (minP >= 0 && minP <= 1), json, "min_p", "between 0 and 1");
    Double repetitionPenalty = number(json, "repetition_penalty");
    check(repetitionPenalty == null || repetitionPenalty > 0, json, "repetition_penalty", "greater than 0");
    Double topK = number(json, "top_k");
    check(topK == null || (topK == Math.rint(topK) && topK >= -1 && topK <= Integer.MAX_VALUE), json, "top_k",
        "an integer, -1 or more");
    return new GenerationConfig(
        DecoderConfig.tokenIds(json.path("eos_token_id")),
        temperature,
        topP,
        topK == null ? null : topK.intValue(),
        minP,
        repetitionPenalty);
  }

  /** The field's value; absent and null mean "no default". */
  private static @Nullable Double number(JsonNode json, String field) {
    JsonNode node = json.path(field);
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    if (!node.isNumber() || !Double.isFinite(node.asDouble())) {
      throw new ModelLoadException("Invalid '" + field + "' in " + FILE + ": expected a number, got " + node + ".");
    }
    return node.asDouble();
  }

  private static void check(boolean ok, JsonNode json, String field, String range) {
    if (!ok) {
      throw new ModelLoadException(
          "Invalid '" + field + "' in " + FILE + ": " + json.path(field) + "; it must be " + range + ".");
    }
  }
}
