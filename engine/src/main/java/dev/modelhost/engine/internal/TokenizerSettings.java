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
 * @param toolUseChatTemplate the template named {@code tool_use} among several named ones, which
 *     transformers uses instead of the default when a request offers tools; null when there is none
 * @param modelMaxLength {@code model_max_length}, 0 when absent or a "no limit" sentinel
 */
record TokenizerSettings(
    @Nullable String bosToken,
    @Nullable String eosToken,
    @Nullable Boolean addBosToken,
    @Nullable Boolean addEosToken,
    @Nullable String chatTemplate,
    @Nullable String toolUseChatTemplate,
    int modelMaxLength) {

  static final String CONFIG = "tokenizer_config.json";
  static final String TEMPLATE_FILE = "chat_template.jinja";

  /** Reads the settings; every file is optional. */
  public static TokenizerSettings load(ModelDirectory dir) {
    JsonNode config = dir.exists(CONFIG) ? dir.readJson(CONFIG) : tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    // As in transformers, the template file replaces any template in the config.
    JsonNode templates = config.path("chat_template");
    String template = dir.exists(TEMPLATE_FILE) ? dir.readString(TEMPLATE_FILE) : chatTemplate(templates);
    String toolUse = dir.exists(TEMPLATE_FILE) ? null : named(templates, "tool_use");
    JsonNode max = config.path("model_max_length");
    // Hugging Face writes 1e30 for "no limit".
    int maxLength = max.isNumber() && max.asDouble() > 0 && max.asDouble() < Integer.MAX_VALUE ? (int) max.asDouble() : 0;
    return new TokenizerSettings(
        token(config.path("bos_token")),
        token(config.path("eos_token")),
        bool(config.path("add_bos_token")),
        bool(config.path("add_eos_token")),
        template,
        toolUse,
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
      String template = named(node, "default");
      if (template == null) {
        throw new ModelLoadException("tokenizer_config.json lists chat templates but none is named 'default'.");
      }
      return template;
    }
    return null;
  }

  /** The template of that name in a list of named templates; null when there is none. */
  private static @Nullable String named(JsonNode node, String name) {
    if (node.isArray()) {
      for (JsonNode named : node) {
        if (name.equals(named.path("name").asString(null)) && named.path("template").isString()) {
          return named.path("template").asString();
        }
      }
    }
    return null;
  }
}
