package dev.modelhost.backend.djl.internal;

import dev.modelhost.exception.ModelLoadException;
import java.util.LinkedHashSet;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The parts of a Hugging Face {@code config.json} that a Llama-family decoder needs. Llama 2/3
 * (including SmolLM), Mistral and Qwen2 share one architecture: RMSNorm, rotary positions, grouped-
 * query attention, a SwiGLU MLP; they differ in biases, rotary scaling and sliding windows.
 *
 * @param invFreq rotary inverse frequencies, {@code headDim / 2} of them, scaling applied
 * @param slidingWindow keys a query may see (itself included), 0 for all
 */
record LlamaConfig(
    String modelType,
    int hiddenSize,
    int intermediateSize,
    int layers,
    int heads,
    int kvHeads,
    int headDim,
    int vocabSize,
    int maxPositions,
    float rmsNormEps,
    float[] invFreq,
    boolean tiedEmbeddings,
    int slidingWindow,
    Set<Integer> eosTokenIds) {

  public static final Set<String> MODEL_TYPES = Set.of("llama", "mistral", "qwen2");

  public LlamaConfig {
    invFreq = invFreq.clone();
    eosTokenIds = Set.copyOf(eosTokenIds);
  }

  @Override
  public float[] invFreq() {
    return invFreq.clone();
  }

  /**
   * Reads {@code config.json}.
   *
   * @throws ModelLoadException naming what was found when the architecture or a setting is not supported
   */
  public static LlamaConfig parse(JsonNode json) {
    String modelType = json.path("model_type").asString("");
    if (!MODEL_TYPES.contains(modelType)) {
      throw new ModelLoadException(
          "Unsupported model architecture: config.json has model_type '" + modelType + "'"
              + architectures(json) + "; the djl backend runs llama, mistral and qwen2 models.");
    }
    String activation = json.path("hidden_act").asString("silu");
    if (!activation.equals("silu")) {
      throw new ModelLoadException("Unsupported hidden_act '" + activation + "' in config.json; the djl backend runs silu (SwiGLU) models.");
    }
    int hidden = positive(json, "hidden_size");
    int heads = positive(json, "num_attention_heads");
    int kvHeads = json.has("num_key_value_heads") && !json.get("num_key_value_heads").isNull()
        ? positive(json, "num_key_value_heads") : heads;
    if (heads % kvHeads != 0) {
      throw new ModelLoadException(
          "config.json has num_attention_heads " + heads + " not a multiple of num_key_value_heads " + kvHeads + ".");
    }
    int headDim = json.has("head_dim") && !json.get("head_dim").isNull() ? positive(json, "head_dim") : hidden / heads;
    if (headDim % 2 != 0) {
      throw new ModelLoadException("config.json gives an odd head dimension " + headDim + "; rotary positions need an even one.");
    }
    int window = 0;
    JsonNode windowNode = json.path("sliding_window");
    boolean windowOn = !modelType.equals("qwen2") || json.path("use_sliding_window").asBoolean(false);
    if (windowOn && windowNode.isNumber()) {
      window = windowNode.asInt();
    }
    return new LlamaConfig(
        modelType,
        hidden,
        positive(json, "intermediate_size"),
        positive(json, "num_hidden_layers"),
        heads,
        kvHeads,
        headDim,
        positive(json, "vocab_size"),
        positive(json, "max_position_embeddings"),
        (float) json.path("rms_norm_eps").asDouble(1e-6),
        inverseFrequencies(json, headDim),
        json.path("tie_word_embeddings").asBoolean(false),
        Math.max(window, 0),
        eosTokenIds(json.path("eos_token_id")));
  }

  private static String architectures(JsonNode json) {
    JsonNode architectures = json.path("architectures");
    return architectures.isArray() && !architectures.isEmpty() ? " (architectures " + architectures + ")" : "";
  }

  private static int positive(JsonNode json, String field) {
    JsonNode node = json.path(field);
    if (!node.isIntegralNumber() || node.asLong() <= 0 || node.asLong() > Integer.MAX_VALUE) {
      throw new ModelLoadException("config.json needs a positive integer '" + field + "', found " + node + ".");
    }
    return node.asInt();
  }

  private static Set<Integer> eosTokenIds(JsonNode node) {
    Set<Integer> ids = new LinkedHashSet<>();
    if (node.isIntegralNumber()) {
      ids.add(node.asInt());
    } else if (node.isArray()) {
      node.forEach(id -> ids.add(id.asInt()));
    }
    return ids;
  }

  /**
   * Hugging Face's rotary frequencies {@code 1 / theta^(2i/d)}, with {@code linear} or Llama 3's
   * {@code llama3} scaling (long wavelengths divided by {@code factor}, a smooth blend between).
   */
  private static float[] inverseFrequencies(JsonNode json, int headDim) {
    double theta = json.path("rope_theta").asDouble(10000.0);
    double[] inv = new double[headDim / 2];
    for (int i = 0; i < inv.length; i++) {
      inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
    }
    JsonNode scaling = json.path("rope_scaling");
    if (scaling.isObject()) {
      String type = scaling.path("rope_type").asString(scaling.path("type").asString("default"));
      switch (type) {
        case "default" -> { }
        case "linear" -> {
          double factor = scalingNumber(scaling, "factor");
          for (int i = 0; i < inv.length; i++) {
            inv[i] /= factor;
          }
        }
        case "llama3" -> llama3(scaling, inv);
        default -> throw new ModelLoadException(
            "Unsupported rope_scaling type '" + type + "' in config.json; the djl backend supports default, linear and llama3.");
      }
    }
    float[] result = new float[inv.length];
    for (int i = 0; i < inv.length; i++) {
      result[i] = (float) inv[i];
    }
    return result;
  }

  private static void llama3(JsonNode scaling, double[] inv) {
    double factor = scalingNumber(scaling, "factor");
    double low = scalingNumber(scaling, "low_freq_factor");
    double high = scalingNumber(scaling, "high_freq_factor");
    double original = scalingNumber(scaling, "original_max_position_embeddings");
    double lowWavelen = original / low;
    double highWavelen = original / high;
    for (int i = 0; i < inv.length; i++) {
      double wavelen = 2 * Math.PI / inv[i];
      if (wavelen > lowWavelen) {
        inv[i] /= factor;
      } else if (wavelen >= highWavelen) {
        double smooth = (original / wavelen - low) / (high - low);
        inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
      }
    }
  }

  private static double scalingNumber(JsonNode scaling, String field) {
    JsonNode node = scaling.path(field);
    if (!node.isNumber() || node.asDouble() <= 0) {
      throw new ModelLoadException("rope_scaling in config.json needs a positive '" + field + "', found " + node + ".");
    }
    return node.asDouble();
  }
}
