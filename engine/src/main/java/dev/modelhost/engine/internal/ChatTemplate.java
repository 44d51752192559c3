package dev.modelhost.engine.internal;

import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.ContentPart;
import dev.modelhost.api.Json;
import dev.modelhost.api.MessageContent;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolCall;
import dev.modelhost.engine.internal.jinja.Template;
import dev.modelhost.engine.internal.jinja.TemplateException;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.ModelLoadException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

/**
 * A Hugging Face chat template, rendered as {@code transformers}' {@code apply_chat_template}
 * renders it: {@code messages}, {@code tools} (None when none are offered),
 * {@code documents} (None), {@code add_generation_prompt}, {@code bos_token} and
 * {@code eos_token} in scope, interpreted with Jinja2's semantics by {@link Template}.
 *
 * <p>Two things about a template are decided once, when it is loaded, by rendering probe
 * conversations: whether tool-call {@code arguments} reach it as the parsed JSON object (the
 * default, what transformers and vLLM pass) or as the OpenAI string (only when the template
 * shows string arguments and cannot show object ones, as llama.cpp decides); and whether content
 * given as parts reaches it as parts (when it prints a text part's text without printing the
 * part's structure) or as the parts' text joined with newlines.
 */
public final class ChatTemplate {

  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};
  private static final String ARGUMENT_KEY = "argument_needle";
  private static final String ARGUMENT_VALUE = "needle-value";
  private static final String PART_TEXT = "part-needle";
  private static final Tool PROBE_TOOL =
      Tool.function("probe_tool", "A probe.", Json.mapper().readTree("{\"type\": \"object\", \"properties\": {}}"));

  private final Template template;
  private final @Nullable String bosToken;
  private final @Nullable String eosToken;
  private final Clock clock;
  private final boolean objectArguments;
  private final boolean contentParts;

  private ChatTemplate(Template template, @Nullable String bosToken, @Nullable String eosToken, Clock clock) {
    this.template = template;
    this.bosToken = bosToken;
    this.eosToken = eosToken;
    this.clock = clock;
    this.objectArguments = !(showsArguments(probeArguments(false)) && !showsArguments(probeArguments(true)));
    String parts = probe(List.of(userParts()), List.of());
    this.contentParts = parts != null && parts.contains(PART_TEXT) && !parts.contains("'type'") && !parts.contains("\"type\"");
  }

  /**
   * Parses a template; {@code strftime_now} reads the system clock.
   *
   * @throws ModelLoadException when the template cannot be parsed, naming the line and column
   */
  public static ChatTemplate of(String source, @Nullable String bosToken, @Nullable String eosToken) {
    return of(source, bosToken, eosToken, Clock.systemDefaultZone());
  }

  static ChatTemplate of(String source, @Nullable String bosToken, @Nullable String eosToken, Clock clock) {
    try {
      return new ChatTemplate(Template.parse(source), bosToken, eosToken, clock);
    } catch (TemplateException.Syntax e) {
      throw new ModelLoadException("The model's chat template cannot be parsed: " + e.getMessage(), e);
    }
  }

  /** True when tool-call arguments reach the template as objects, false when as JSON strings. */
  boolean objectArguments() {
    return objectArguments;
  }

  /** True when content given as parts reaches the template as parts, false when as text. */
  boolean contentParts() {
    return contentParts;
  }

  /**
   * Renders the prompt of a conversation.
   *
   * @param tools the request's tools, or null when none are offered
   * @throws InvalidRequestException when the template refuses the conversation
   *     ({@code raise_exception}, with its message) or fails on it
   */
  public String render(List<ChatMessage> messages, @Nullable List<Tool> tools, boolean addGenerationPrompt) {
    List<Object> messageMaps = new ArrayList<>(messages.size());
    for (ChatMessage message : messages) {
      messageMaps.add(toMap(message));
    }
    List<Object> toolMaps = null;
    if (tools != null && !tools.isEmpty()) {
      toolMaps = new ArrayList<>(tools.size());
      for (Tool tool : tools) {
        toolMaps.add(Json.mapper().convertValue(tool, MAP));
      }
    }
    try {
      return template.render(variables(messageMaps, toolMaps, addGenerationPrompt), clock);
    } catch (TemplateException.Raised e) {
      throw new InvalidRequestException(e.getMessage(), "messages", "chat_template_error");
    } catch (TemplateException e) {
      throw new InvalidRequestException(
          "The model's chat template cannot render this conversation: " + e.getMessage(), "messages", "chat_template_error");
    }
  }

  private Map<String, @Nullable Object> variables(List<Object> messages, @Nullable List<Object> tools, boolean addGenerationPrompt) {
    Map<String, @Nullable Object> variables = new LinkedHashMap<>();
    variables.put("messages", messages);
    variables.put("tools", tools);
    variables.put("documents", null);
    variables.put("add_generation_prompt", addGenerationPrompt);
    variables.put("bos_token", bosToken == null ? "" : bosToken);
    variables.put("eos_token", eosToken == null ? "" : eosToken);
    return variables;
  }

  private Map<String, @Nullable Object> toMap(ChatMessage message) {
    Map<String, @Nullable Object> map = new LinkedHashMap<>();
    // Chat templates predate OpenAI's "developer" role, which takes the place of "system".
    map.put("role", ChatMessage.DEVELOPER.equals(message.role()) ? ChatMessage.SYSTEM : message.role());
    MessageContent content = message.content();
    if (content == null) {
      map.put("content", null);
    } else if (contentParts && content.isParts()) {
      List<Object> parts = new ArrayList<>();
      for (ContentPart part : content.parts()) {
        parts.add(Json.mapper().convertValue(part, MAP));
      }
      map.put("content", parts);
    } else {
      map.put("content", message.text());
    }
    if (message.name() != null) {
      map.put("name", message.name());
    }
    if (message.toolCallId() != null) {
      map.put("tool_call_id", message.toolCallId());
    }
    if (message.toolCalls() != null) {
      List<Object> calls = new ArrayList<>();
      for (ToolCall call : message.toolCalls()) {
        calls.add(toolCall(call.id(), call.type(), call.function() == null ? null : call.function().name(),
            call.function() == null ? null : arguments(call.function().arguments())));
      }
      map.put("tool_calls", calls);
    }
    return map;
  }

  private static Map<String, @Nullable Object> toolCall(
      @Nullable String id, @Nullable String type, @Nullable String name, @Nullable Object arguments) {
    Map<String, @Nullable Object> function = new LinkedHashMap<>();
    function.put("name", name);
    function.put("arguments", arguments);
    Map<String, @Nullable Object> call = new LinkedHashMap<>();
    call.put("id", id);
    call.put("type", type == null ? "function" : type);
    call.put("function", function);
    return call;
  }

  /** The OpenAI arguments string in the form this template renders: an object when it is one. */
  private @Nullable Object arguments(@Nullable String arguments) {
    if (arguments == null || !objectArguments) {
      return arguments;
    }
    try {
      JsonNode node = Json.mapper().readTree(arguments);
      return node != null && node.isObject() ? Json.mapper().convertValue(node, MAP) : arguments;
    } catch (JacksonException e) {
      return arguments;
    }
  }

  private @Nullable String probeArguments(boolean asObject) {
    Map<String, Object> arguments = Map.of(ARGUMENT_KEY, ARGUMENT_VALUE);
    Object value = asObject ? arguments : Json.mapper().writeValueAsString(arguments);
    Map<String, @Nullable Object> user = new LinkedHashMap<>();
    user.put("role", ChatMessage.USER);
    user.put("content", "Call the probe.");
    Map<String, @Nullable Object> assistant = new LinkedHashMap<>();
    assistant.put("role", ChatMessage.ASSISTANT);
    assistant.put("content", null);
    assistant.put("tool_calls", List.of(toolCall("call_probe01", "function", "probe_tool", value)));
    return probe(List.of(user, assistant), List.of(Json.mapper().convertValue(PROBE_TOOL, MAP)));
  }

  private static Map<String, Object> userParts() {
    Map<String, Object> part = new LinkedHashMap<>();
    part.put("type", ContentPart.TEXT);
    part.put("text", PART_TEXT);
    Map<String, Object> user = new LinkedHashMap<>();
    user.put("role", ChatMessage.USER);
    user.put("content", List.of(part));
    return user;
  }

  private @Nullable String probe(List<Object> messages, List<Object> tools) {
    try {
      return template.render(variables(messages, tools.isEmpty() ? null : tools, false), clock);
    } catch (TemplateException e) {
      return null;
    }
  }

  private static boolean showsArguments(@Nullable String rendered) {
    return rendered != null && rendered.contains(ARGUMENT_KEY) && rendered.contains(ARGUMENT_VALUE);
  }
}
