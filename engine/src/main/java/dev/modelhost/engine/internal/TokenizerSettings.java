package dev.modelhost.engine.internal;

import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.exception.ModelLoadException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What {@code tokenizer_config.json} (and {@code chat_template.jinja}) say about a model's special
 * tokens, its chat template and its length limit.
 *
 * @param addBosToken {@code add_bos_token}, null when not stated
 * @param addEosToken {@code add_eos_token}, null when not stated
 * @param chatTemplate the template source, null when the model has none
 * @param modelMaxLength {@code model_max_length}, 0 when absent or a "no limit" sentinel
 */
public record TokenizerSettings(
    @Nullable String bosToken,
    @Nullable String eosToken,
    @Nullable Boolean addBosToken,
    @Nullable Boolean addEosToken,
    @Nullable String chatTemplate,
    int modelMaxLength) {

  static final String CONFIG = "tokenizer_config.json";
  static final String TEMPLATE_FILE = "chat_template.jinja";

  /** Reads the settings; every file is optional. */
  public static TokenizerSettings load(ModelDirectory dir) {
    JsonNode config = dir.exists(CONFIG) ? dir.readJson(CONFIG) : tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    // As in transformers, the template file replaces any template in the config.
    String template = dir.exists(TEMPLATE_FILE) ? dir.readString(TEMPLATE_FILE) : chatTemplate(config.path("chat_template"));
    JsonNode max = config.path("model_max_length");
    // Hugging Face writes 1e30 for "no limit".
    int maxLength = max.isNumber() && max.asDouble() > 0 && max.asDouble() < Integer.MAX_VALUE ? (int) max.asDouble() : 0;
    return new TokenizerSettings(
        token(config.path("bos_token")),
        token(config.path("eos_token")),
        bool(config.path("add_bos_token")),
        bool(config.path("add_eos_token")),
        template,
        maxLength);
  }

  private static @Nullable String token(JsonNode node) {
    if (node.isString()) {
      return node.asString();
    }
    if (node.isObject() && node.path("content").isString()) {
      return node.path("content").asString();
    }
    return null;
  }

  private static @Nullable Boolean bool(JsonNode node) {
    return node.isBoolean() ? node.asBoolean() : null;
  }

  private static @Nullable String chatTemplate(JsonNode node) {
    if (node.isString()) {
      return node.asString();
    }
    if (node.isArray()) {
      // Several named templates ("default", "tool_use", ...): the default one serves chats.
      for (JsonNode named : node) {
        if ("default".equals(named.path("name").asString(null)) && named.path("template").isString()) {
          return named.path("template").asString();
        }
      }
      throw new ModelLoadException("tokenizer_config.json lists chat templates but none is named 'default'.");
    }
    return null;
  }
}
