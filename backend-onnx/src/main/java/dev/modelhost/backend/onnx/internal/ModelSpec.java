package dev.modelhost.backend.onnx.internal;

import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.exception.ModelLoadException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What a model directory's configuration says about its decoder: which file, which tensor names
 * (as {@code %d} templates per layer), and the dimensions the graph must agree with. Read from
 * {@code genai_config.json} (ONNX Runtime GenAI model builder) or from {@code config.json} with
 * {@code generation_config.json} (Hugging Face Optimum export, also the onnx-community layout).
 *
 * <p>Like ONNX Runtime GenAI's own reader, only what cannot be found elsewhere is required: the
 * context length and the decoder file. A dimension the configuration leaves out is 0 here and is
 * filled in from the graph by {@link #completedBy}.
 *
 * @param decoderFile the graph to load, after the {@code variant} option was applied
 * @param layers 0 when not configured
 * @param kvHeads 0 when not configured
 * @param headSize 0 when not configured
 * @param attentionHeads 0 when not configured; a fallback for {@code kvHeads} and {@code headSize}
 * @param hiddenSize 0 when not configured; with {@code attentionHeads} a fallback for {@code headSize}
 * @param vocabSize 0 when not configured
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
    int attentionHeads,
    int hiddenSize,
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

  /** The dimensions a configuration may leave to the graph, by their name in each file. */
  enum Dimension {
    LAYERS("model.decoder.num_hidden_layers", "num_hidden_layers"),
    KV_HEADS("model.decoder.num_key_value_heads", "num_key_value_heads"),
    HEAD_SIZE("model.decoder.head_size", "head_dim"),
    VOCAB_SIZE("model.vocab_size", "vocab_size");

    private final String genAiField;
    private final String hfField;

    Dimension(String genAiField, String hfField) {
      this.genAiField = genAiField;
      this.hfField = hfField;
    }
  }

  /** The configuration's name for {@code dimension}, as an error message should quote it. */
  String field(Dimension dimension) {
    return source.equals(GENAI_CONFIG) ? dimension.genAiField : dimension.hfField;
  }

  /**
   * Reads the directory's configuration and picks the decoder file ({@code variant}: see {@link
   * ModelVariants}).
   */
  static ModelSpec read(ModelDirectory files, @Nullable String variant) {
    if (files.exists(GENAI_CONFIG)) {
      return fromGenAi(files, files.readJson(GENAI_CONFIG), variant);
    }
    if (files.exists(HF_CONFIG)) {
      JsonNode generation = files.exists(HF_GENERATION_CONFIG) ? files.readJson(HF_GENERATION_CONFIG) : null;
      return fromOptimum(files, files.readJson(HF_CONFIG), generation, variant);
    }
    throw new ModelLoadException(
        "No ONNX decoder model found in " + files + ": expected either " + GENAI_CONFIG
            + " (ONNX Runtime GenAI model builder layout) or " + HF_CONFIG + " with model.onnx at the root or in onnx/"
            + " (Hugging Face Optimum export, onnx-community layout). Found: " + ModelVariants.listing(files) + ".");
  }

  private static ModelSpec fromGenAi(ModelDirectory files, JsonNode root, @Nullable String variant) {
    Fields config = new Fields(GENAI_CONFIG);
    JsonNode model = config.object(root, "model");
    JsonNode decoder = config.object(model, "model.decoder");
    JsonNode inputs = decoder.path("inputs");
    JsonNode outputs = decoder.path("outputs");
    String pastNames = config.text(inputs, "model.decoder.inputs.past_names", null);
    String presentNames = config.text(outputs, "model.decoder.outputs.present_names", null);
    if ((pastNames == null) != (presentNames == null)) {
      throw new ModelLoadException(GENAI_CONFIG
          + ": model.decoder.inputs.past_names and model.decoder.outputs.present_names must be given together.");
    }
    String filename = config.text(decoder, "model.decoder.filename", null);
    if (filename == null || filename.isEmpty()) {
      throw new ModelLoadException(GENAI_CONFIG + ": model.decoder.filename is missing; it names the decoder graph."
          + " Found in " + files + ": " + ModelVariants.listing(files) + ".");
    }
    return new ModelSpec(
        GENAI_CONFIG,
        ModelVariants.choose(files, filename, GENAI_CONFIG + " model.decoder.filename", variant),
        config.text(model, "model.type", "unknown"),
        config.positive(decoder, "model.decoder.num_hidden_layers"),
        config.positive(decoder, "model.decoder.num_key_value_heads"),
        config.positive(decoder, "model.decoder.head_size"),
        config.positive(decoder, "model.decoder.num_attention_heads"),
        config.positive(decoder, "model.decoder.hidden_size"),
        config.positive(model, "model.vocab_size"),
        config.required(config.positive(model, "model.context_length"), "model.context_length"),
        config.tokenIds(model, "model.eos_token_id"),
        config.text(inputs, "model.decoder.inputs.input_ids", "input_ids"),
        config.text(inputs, "model.decoder.inputs.attention_mask", "attention_mask"),
        config.text(inputs, "model.decoder.inputs.position_ids", "position_ids"),
        config.text(outputs, "model.decoder.outputs.logits", "logits"),
        pastNames != null ? pastNames : config.text(inputs, "model.decoder.inputs.past_key_names", "past_key_values.%d.key"),
        pastNames != null ? null : config.text(inputs, "model.decoder.inputs.past_value_names", "past_key_values.%d.value"),
        presentNames != null ? presentNames : config.text(outputs, "model.decoder.outputs.present_key_names", "present.%d.key"),
        presentNames != null ? null : config.text(outputs, "model.decoder.outputs.present_value_names", "present.%d.value"));
  }

  private static ModelSpec fromOptimum(
      ModelDirectory files, JsonNode config, @Nullable JsonNode generation, @Nullable String variant) {
    Fields fields = new Fields(HF_CONFIG);
    // Model families name the same fields differently (GPT-2: n_head, n_embd, n_layer, n_positions).
    int heads = fields.positive(config, "num_attention_heads", "n_head", "num_heads");
    int hidden = fields.positive(config, "hidden_size", "n_embd", "d_model");
    int context = fields.required(
        fields.positive(config, "max_position_embeddings", "n_positions", "n_ctx", "max_sequence_length", "seq_length"),
        "max_position_embeddings");
    Set<Integer> eos = generation == null ? Set.of() : new Fields(HF_GENERATION_CONFIG).tokenIds(generation, "eos_token_id");
    if (eos.isEmpty()) {
      eos = fields.tokenIds(config, "eos_token_id");
    }
    return new ModelSpec(
        HF_CONFIG,
        ModelVariants.chooseOptimum(files, variant),
        fields.text(config, "model_type", "unknown"),
        fields.positive(config, "num_hidden_layers", "n_layer", "num_layers"),
        fields.positive(config, "num_key_value_heads"),
        fields.positive(config, "head_dim"),
        heads,
        hidden,
        fields.positive(config, "vocab_size"),
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

  /** This spec with every dimension the configuration left out taken from the graph. */
  ModelSpec completedBy(int layers, int kvHeads, int headSize, int vocabSize) {
    return new ModelSpec(source, decoderFile, modelType, layers, kvHeads, headSize, attentionHeads, hiddenSize,
        vocabSize, contextWindow, eosTokenIds, inputIds, attentionMask, positionIds, logits, pastKeyTemplate,
        pastValueTemplate, presentKeyTemplate, presentValueTemplate);
  }

  /** Reads typed fields of one configuration file; errors name the file, the field and what it holds. */
  private record Fields(String file) {

    JsonNode object(JsonNode parent, String path) {
      JsonNode value = parent.path(leaf(path));
      if (!value.isObject()) {
        throw new ModelLoadException(file + ": expected an object at " + path + ", found " + describe(value) + ".");
      }
      return value;
    }

    @Nullable String text(JsonNode parent, String path, @Nullable String defaultValue) {
      JsonNode value = parent.path(leaf(path));
      if (value.isMissingNode() || value.isNull()) {
        return defaultValue;
      }
      if (!value.isString()) {
        throw new ModelLoadException(file + ": expected " + path + " to be a string, found " + describe(value) + ".");
      }
      return value.asString();
    }

    /** The first of {@code names} present, as a positive integer; 0 when none is present. */
    int positive(JsonNode parent, String... names) {
      for (String name : names) {
        JsonNode value = parent.path(leaf(name));
        if (value.isMissingNode() || value.isNull()) {
          continue;
        }
        if (!value.isIntegralNumber() || value.asLong() <= 0 || value.asLong() > Integer.MAX_VALUE) {
          throw new ModelLoadException(file + ": expected " + name + " to be a positive integer, found " + describe(value) + ".");
        }
        return value.asInt();
      }
      return 0;
    }

    int required(int value, String path) {
      if (value == 0) {
        throw new ModelLoadException(file + ": required field " + path + " is missing (the model's context length).");
      }
      return value;
    }

    Set<Integer> tokenIds(JsonNode parent, String path) {
      JsonNode node = parent.path(leaf(path));
      Set<Integer> ids = new LinkedHashSet<>();
      Iterable<JsonNode> elements = node.isArray() ? node : List.of(node);
      for (JsonNode element : elements) {
        if (element.isMissingNode() || element.isNull()) {
          continue;
        }
        if (!element.isIntegralNumber()) {
          throw new ModelLoadException(file + ": expected " + path + " to hold integers, found " + describe(element) + ".");
        }
        ids.add(element.asInt());
      }
      return ids;
    }

    private static String leaf(String path) {
      return path.substring(path.lastIndexOf('.') + 1);
    }
  }

  static String describe(JsonNode value) {
    return value.isMissingNode() ? "nothing" : value.getNodeType().name().toLowerCase(Locale.ROOT) + " " + value;
  }
}
