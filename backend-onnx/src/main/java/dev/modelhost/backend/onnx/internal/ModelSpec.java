package dev.modelhost.backend.onnx.internal;

import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.exception.ModelLoadException;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What a model directory's configuration says about its decoder: which file, which tensor names
 * (as {@code %d} templates per layer), and the dimensions the graph must agree with. Read from
 * {@code genai_config.json} (ONNX Runtime GenAI model builder) or from {@code config.json} with
 * {@code generation_config.json} (Hugging Face Optimum export).
 *
 * @param pastKeyTemplate per-layer key input, or the combined key/value input when {@code pastValueTemplate} is null
 * @param presentKeyTemplate per-layer key output, or the combined output when {@code presentValueTemplate} is null
 */
record ModelSpec(
    String source,
    String decoderFile,
    String modelType,
    int layers,
    int kvHeads,
    int headSize,
    int vocabSize,
    int contextWindow,
    Set<Integer> eosTokenIds,
    String inputIds,
    String attentionMask,
    String positionIds,
    String logits,
    String pastKeyTemplate,
    @Nullable String pastValueTemplate,
    String presentKeyTemplate,
    @Nullable String presentValueTemplate) {

  static final String GENAI_CONFIG = "genai_config.json";
  static final String HF_CONFIG = "config.json";
  static final String HF_GENERATION_CONFIG = "generation_config.json";
  static final String HF_MODEL = "model.onnx";

  boolean combinedKv() {
    return pastValueTemplate == null;
  }

  /**
   * Optimum exports apply the attention mask to every position, so rows of different lengths can
   * share a call left-padded. GenAI model-builder graphs use GroupQueryAttention, which reads the
   * mask only as a count of valid positions from the left; they get no padding.
   */
  boolean leftPadding() {
    return source.equals(HF_CONFIG);
  }

  static ModelSpec read(ModelDirectory files) {
    if (files.exists(GENAI_CONFIG)) {
      return fromGenAi(files.readJson(GENAI_CONFIG));
    }
    if (files.exists(HF_CONFIG)) {
      JsonNode generation = files.exists(HF_GENERATION_CONFIG) ? files.readJson(HF_GENERATION_CONFIG) : null;
      return fromOptimum(files.readJson(HF_CONFIG), generation);
    }
    throw new ModelLoadException(
        "No ONNX decoder model found in " + files + ": expected either " + GENAI_CONFIG
            + " (ONNX Runtime GenAI model builder layout) or " + HF_CONFIG + " with " + HF_MODEL
            + " (Hugging Face Optimum export).");
  }

  private static ModelSpec fromGenAi(JsonNode root) {
    String source = GENAI_CONFIG;
    JsonNode model = required(root, "model", source);
    JsonNode decoder = required(model, "decoder", source + " model");
    JsonNode inputs = decoder.path("inputs");
    JsonNode outputs = decoder.path("outputs");
    String pastNames = text(inputs, "past_names", null);
    String presentNames = text(outputs, "present_names", null);
    if ((pastNames == null) != (presentNames == null)) {
      throw new ModelLoadException(
          source + ": model.decoder.inputs.past_names and model.decoder.outputs.present_names must be given together.");
    }
    int heads = positive(decoder, "num_attention_heads", source, -1);
    return new ModelSpec(
        source,
        text(decoder, "filename", HF_MODEL),
        text(model, "type", "unknown"),
        positive(decoder, "num_hidden_layers", source, -1),
        positive(decoder, "num_key_value_heads", source, heads),
        positive(decoder, "head_size", source, -1),
        positive(model, "vocab_size", source, -1),
        positive(model, "context_length", source, -1),
        tokenIds(model.path("eos_token_id")),
        text(inputs, "input_ids", "input_ids"),
        text(inputs, "attention_mask", "attention_mask"),
        text(inputs, "position_ids", "position_ids"),
        text(outputs, "logits", "logits"),
        pastNames != null ? pastNames : text(inputs, "past_key_names", "past_key_values.%d.key"),
        pastNames != null ? null : text(inputs, "past_value_names", "past_key_values.%d.value"),
        presentNames != null ? presentNames : text(outputs, "present_key_names", "present.%d.key"),
        presentNames != null ? null : text(outputs, "present_value_names", "present.%d.value"));
  }

  private static ModelSpec fromOptimum(JsonNode config, @Nullable JsonNode generation) {
    String source = HF_CONFIG;
    // GPT-2 style configurations name the same fields n_head, n_embd, n_layer, n_positions.
    int heads = positive(config, alias(config, "num_attention_heads", "n_head"), source, -1);
    int hidden = positive(config, alias(config, "hidden_size", "n_embd"), source, -1);
    int headSize = positive(config, "head_dim", source, hidden / heads);
    int layers = positive(config, alias(config, "num_hidden_layers", "n_layer"), source, -1);
    int context = positive(config, alias(config, "max_position_embeddings", "n_positions"), source, -1);
    Set<Integer> eos = generation == null ? Set.of() : tokenIds(generation.path("eos_token_id"));
    if (eos.isEmpty()) {
      eos = tokenIds(config.path("eos_token_id"));
    }
    return new ModelSpec(
        source,
        HF_MODEL,
        text(config, "model_type", "unknown"),
        layers,
        positive(config, "num_key_value_heads", source, heads),
        headSize,
        positive(config, "vocab_size", source, -1),
        context,
        eos,
        "input_ids",
        "attention_mask",
        "position_ids",
        "logits",
        "past_key_values.%d.key",
        "past_key_values.%d.value",
        "present.%d.key",
        "present.%d.value");
  }

  /** {@code name}, or {@code other} when only that one is present. */
  private static String alias(JsonNode node, String name, String other) {
    return node.has(name) || !node.has(other) ? name : other;
  }

  private static JsonNode required(JsonNode node, String field, String where) {
    JsonNode value = node.path(field);
    if (!value.isObject()) {
      throw new ModelLoadException(where + ": expected an object '" + field + "', found " + describe(value) + ".");
    }
    return value;
  }

  private static @Nullable String text(JsonNode node, String field, @Nullable String defaultValue) {
    JsonNode value = node.path(field);
    if (value.isMissingNode() || value.isNull()) {
      return defaultValue;
    }
    if (!value.isString()) {
      throw new ModelLoadException("Expected '" + field + "' to be a string, found " + describe(value) + ".");
    }
    return value.asString();
  }

  /** A positive integer field; {@code defaultValue} when absent, or an error when that is negative. */
  private static int positive(JsonNode node, String field, String where, int defaultValue) {
    JsonNode value = node.path(field);
    if (value.isMissingNode() || value.isNull()) {
      if (defaultValue < 0) {
        throw new ModelLoadException(where + ": required field '" + field + "' is missing.");
      }
      return defaultValue;
    }
    if (!value.isIntegralNumber() || value.asLong() <= 0 || value.asLong() > Integer.MAX_VALUE) {
      throw new ModelLoadException(where + ": expected '" + field + "' to be a positive integer, found " + describe(value) + ".");
    }
    return value.asInt();
  }

  private static Set<Integer> tokenIds(JsonNode node) {
    Set<Integer> ids = new LinkedHashSet<>();
    if (node.isIntegralNumber()) {
      ids.add(node.asInt());
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        if (!element.isIntegralNumber()) {
          throw new ModelLoadException("Expected 'eos_token_id' to hold integers, found " + describe(element) + ".");
        }
        ids.add(element.asInt());
      }
    }
    return ids;
  }

  private static String describe(JsonNode value) {
    return value.isMissingNode() ? "nothing" : value.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + value;
  }
}
