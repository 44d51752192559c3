package dev.modelhost.engine.internal.tools;

import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.spi.ModelSource;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The tool-call formats by name, and the choice of one for a model. */
public final class ToolFormats {

  /** The service option that names the format instead of detecting it. */
  public static final String OPTION = "tool-parser";

  private static final List<ToolFormat> ALL = List.of(
      MarkedJsonFormat.HERMES,
      Llama3JsonFormat.INSTANCE,
      MistralFormat.INSTANCE,
      DeepSeekV3Format.INSTANCE,
      MarkedJsonFormat.PHI4_MINI,
      MarkedJsonFormat.GRANITE,
      Qwen3CoderFormat.INSTANCE);

  private ToolFormats() {}

  /** Every format's name. */
  public static List<String> names() {
    return ALL.stream().map(ToolFormat::name).toList();
  }

  /** The format of that name, or null. */
  public static @Nullable ToolFormat named(String name) {
    return ALL.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
  }

  /**
   * The format the service's {@value #OPTION} option names, or null when it names none.
   *
   * @throws ConfigurationException naming {@code options.tool-parser} when the name is unknown
   */
  public static @Nullable ToolFormat option(ModelSource source) {
    String name = source.option(OPTION);
    if (name == null) {
      return null;
    }
    ToolFormat format = named(name.strip());
    if (format == null) {
      throw new ConfigurationException("Option '" + OPTION + "' must be one of " + String.join(", ", names())
          + ", got '" + name + "'.", "options." + OPTION);
    }
    return format;
  }

  /**
   * The format a model writes calls in, judged by the markers its chat template writes and, when the
   * template says nothing, the special tokens its tokenizer adds; Hermes's when neither tells.
   *
   * @param template the chat template's source, null when the model has none
   * @param addedTokens the contents of the tokenizer's added tokens
   */
  public static ToolFormat detect(@Nullable String template, Set<String> addedTokens) {
    String t = template == null ? "" : template;
    if (t.contains("<tool_call>")) {
      return t.contains("<function=") ? Qwen3CoderFormat.INSTANCE : MarkedJsonFormat.HERMES;
    }
    if (t.contains("[TOOL_CALLS]")) {
      return MistralFormat.INSTANCE;
    }
    if (t.contains("<｜tool▁calls▁begin｜>")) {
      return DeepSeekV3Format.INSTANCE;
    }
    if (t.contains("<|tool_call|>")) {
      return t.contains("<|/tool_call|>") ? MarkedJsonFormat.PHI4_MINI : MarkedJsonFormat.GRANITE;
    }
    if (t.contains("<|python_tag|>") || (t.contains("<|start_header_id|>") && t.contains("\"parameters\""))) {
      return Llama3JsonFormat.INSTANCE;
    }
    if (addedTokens.contains("[TOOL_CALLS]")) {
      return MistralFormat.INSTANCE;
    }
    if (addedTokens.contains("<｜tool▁calls▁begin｜>")) {
      return DeepSeekV3Format.INSTANCE;
    }
    if (addedTokens.contains("<|python_tag|>")) {
      return Llama3JsonFormat.INSTANCE;
    }
    return MarkedJsonFormat.HERMES;
  }
}
