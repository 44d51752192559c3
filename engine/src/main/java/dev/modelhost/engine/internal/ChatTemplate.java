package dev.modelhost.engine.internal;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.ContentPart;
import dev.modelhost.api.Json;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolCall;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.InvalidRequestException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

/**
 * A Hugging Face chat template rendered with Jinjava the way {@code transformers} renders it:
 * {@code trim_blocks} and {@code lstrip_blocks} on; {@code messages}, {@code tools},
 * {@code add_generation_prompt}, {@code bos_token}, {@code eos_token} in scope;
 * {@code raise_exception}, {@code strftime_now}, {@code namespace} and a Python-style
 * {@code tojson}. Python string methods that real templates call ({@code x.strip()},
 * {@code x.startswith('a')}, ...) are rewritten to filters of the same meaning before compiling.
 *
 * <p>Public only because Jinjava calls {@code raise_exception} and {@code strftime_now} here by
 * reflection, which needs a public class.
 */
public final class ChatTemplate {

  private static final Jinjava JINJAVA = newJinjava();
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};
  private static final ThreadLocal<@Nullable String> RAISED = new ThreadLocal<>();
  private static final Pattern ITERATES_CONTENT =
      Pattern.compile("for\\s+\\w+\\s+in\\s+\\w+\\s*(\\[\\s*['\"]content['\"]\\s*\\]|\\.content)");

  private final String source;
  private final @Nullable String bosToken;
  private final @Nullable String eosToken;
  private final boolean contentAsParts;

  private ChatTemplate(String source, @Nullable String bosToken, @Nullable String eosToken) {
    this.source = PythonMethods.rewrite(source);
    this.bosToken = bosToken;
    this.eosToken = eosToken;
    // Templates that loop over a message's content expect OpenAI-style parts, the others a string.
    this.contentAsParts = ITERATES_CONTENT.matcher(source).find();
  }

  public static ChatTemplate of(String source, @Nullable String bosToken, @Nullable String eosToken) {
    return new ChatTemplate(source, bosToken, eosToken);
  }

  /**
   * Renders the prompt of a conversation.
   *
   * @param tools the request's tools, or null when none are offered
   * @throws InvalidRequestException when the template refuses the conversation
   *     ({@code raise_exception})
   * @throws BackendException when the template itself cannot be rendered
   */
  public String render(List<ChatMessage> messages, @Nullable List<Tool> tools, boolean addGenerationPrompt) {
    Map<String, Object> context = new HashMap<>();
    List<Map<String, Object>> messageMaps = new ArrayList<>(messages.size());
    for (ChatMessage message : messages) {
      messageMaps.add(toMap(message));
    }
    context.put("messages", messageMaps);
    context.put("add_generation_prompt", addGenerationPrompt);
    context.put("bos_token", bosToken == null ? "" : bosToken);
    context.put("eos_token", eosToken == null ? "" : eosToken);
    if (tools != null && !tools.isEmpty()) {
      List<Object> toolMaps = new ArrayList<>(tools.size());
      for (Tool tool : tools) {
        toolMaps.add(Json.mapper().convertValue(tool, MAP));
      }
      context.put("tools", toolMaps);
    }
    RAISED.remove();
    RenderResult result;
    try {
      result = JINJAVA.renderForResult(source, context);
    } finally {
      String raised = RAISED.get();
      RAISED.remove();
      if (raised != null) {
        throw new InvalidRequestException(raised, "messages", "chat_template_error");
      }
    }
    for (TemplateError error : result.getErrors()) {
      if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
        throw new BackendException("The model's chat template failed: " + error.getMessage(), null);
      }
    }
    return result.getOutput();
  }

  private Map<String, Object> toMap(ChatMessage message) {
    Map<String, Object> map = new LinkedHashMap<>();
    // Chat templates predate OpenAI's "developer" role, which takes the place of "system".
    map.put("role", ChatMessage.DEVELOPER.equals(message.role()) ? ChatMessage.SYSTEM : message.role());
    if (message.content() == null) {
      map.put("content", null);
    } else if (contentAsParts && message.content().isParts()) {
      List<Map<String, Object>> parts = new ArrayList<>();
      for (ContentPart part : message.content().parts()) {
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
      List<Map<String, Object>> calls = new ArrayList<>();
      for (ToolCall call : message.toolCalls()) {
        Map<String, Object> function = new LinkedHashMap<>();
        String name = call.function() == null ? null : call.function().name();
        String arguments = call.function() == null ? null : call.function().arguments();
        function.put("name", name);
        // Templates print the arguments with tojson: give them the object, as transformers does.
        function.put("arguments", parseArguments(arguments));
        Map<String, Object> callMap = new LinkedHashMap<>();
        callMap.put("id", call.id());
        callMap.put("type", call.type() == null ? "function" : call.type());
        callMap.put("function", function);
        calls.add(callMap);
      }
      map.put("tool_calls", calls);
    }
    return map;
  }

  private static @Nullable Object parseArguments(@Nullable String arguments) {
    if (arguments == null) {
      return null;
    }
    try {
      JsonNode node = Json.mapper().readTree(arguments);
      return node.isObject() ? Json.mapper().convertValue(node, MAP) : arguments;
    } catch (JacksonException e) {
      return arguments;
    }
  }

  /** Called by templates: aborts rendering with the template's own message (a bad conversation). */
  public static Object raiseException(String message) {
    // Jinjava goes on rendering after an error: the first message is the one that counts.
    if (RAISED.get() == null) {
      RAISED.set(message);
    }
    throw new InvalidRequestException(message, "messages", "chat_template_error");
  }

  /** Called by templates: the current date and time in a Python {@code strftime} format. */
  public static String strftimeNow(String format) {
    return PythonMethods.strftimeNow(format);
  }

  private static Jinjava newJinjava() {
    JinjavaConfig config =
        JinjavaConfig.newBuilder()
            .withTrimBlocks(true)
            .withLstripBlocks(true)
            // Message text is data: "{{ ... }}" inside it must never be evaluated.
            .withNestedInterpretationEnabled(false)
            .withMaxOutputSize(64L * 1024 * 1024)
            .withLegacyOverrides(
                LegacyOverrides.newBuilder()
                    .withIterateOverMapKeys(true)
                    .withUseNaturalOperatorPrecedence(true)
                    .withParseWhitespaceControlStrictly(true)
                    .withKeepNullableLoopValues(true)
                    .withUseTrimmingForNotesAndExpressions(true)
                    .build())
            .build();
    Jinjava jinjava = new Jinjava(config);
    // A template is one file: nothing may be included or imported from the classpath or disk.
    jinjava.setResourceLocator((name, encoding, interpreter) -> {
      throw new java.io.FileNotFoundException("Chat templates cannot include '" + name + "'.");
    });
    try {
      jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
          "", "raise_exception", ChatTemplate.class.getMethod("raiseException", String.class)));
      jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
          "", "strftime_now", ChatTemplate.class.getMethod("strftimeNow", String.class)));
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
    jinjava.getGlobalContext().registerFilter(new PythonJson());
    PythonMethods.register(jinjava.getGlobalContext());
    return jinjava;
  }
}
