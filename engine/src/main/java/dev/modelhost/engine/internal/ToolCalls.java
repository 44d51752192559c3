package dev.modelhost.engine.internal;

import dev.modelhost.api.Json;
import dev.modelhost.api.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Tool calls in the Hermes / Qwen form that most open chat models are trained on:
 * {@code <tool_call>{"name": "...", "arguments": {...}}</tool_call>}, one block per call.
 */
final class ToolCalls {

  public static final String OPEN = "<tool_call>";
  public static final String CLOSE = "</tool_call>";

  private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private ToolCalls() {}

  /**
   * The model's answer split into its text and its calls.
   *
   * @param content the text outside the calls, trimmed; null when there is none
   */
  public record Parsed(@Nullable String content, List<ToolCall> calls) {
    public Parsed {
      calls = List.copyOf(calls);
    }
  }

  /**
   * Finds the calls in {@code text}. Blocks that are not a JSON object with a string
   * {@code name} are not calls: then the whole text is returned as content.
   */
  public static Parsed parse(String text) {
    List<ToolCall> calls = new ArrayList<>();
    StringBuilder content = new StringBuilder();
    int from = 0;
    while (true) {
      int open = text.indexOf(OPEN, from);
      if (open < 0) {
        content.append(text, from, text.length());
        break;
      }
      content.append(text, from, open);
      int bodyStart = open + OPEN.length();
      int close = text.indexOf(CLOSE, bodyStart);
      // A call cut off by the token limit has no closing tag; its JSON may still be whole.
      String body = text.substring(bodyStart, close < 0 ? text.length() : close);
      ToolCall call = call(body, calls.size());
      if (call == null) {
        return new Parsed(text.isBlank() ? null : text, List.of());
      }
      calls.add(call);
      from = close < 0 ? text.length() : close + CLOSE.length();
    }
    String rest = content.toString().strip();
    return new Parsed(rest.isEmpty() ? null : rest, calls);
  }

  private static @Nullable ToolCall call(String body, int index) {
    JsonNode node;
    try {
      node = Json.mapper().readTree(body.strip());
    } catch (JacksonException e) {
      return null;
    }
    if (node == null || !node.isObject() || !node.path("name").isString()) {
      return null;
    }
    JsonNode arguments = node.has("arguments") ? node.get("arguments") : node.path("parameters");
    String argumentsJson;
    if (arguments.isString()) {
      argumentsJson = arguments.asString();
    } else if (arguments.isMissingNode() || arguments.isNull()) {
      argumentsJson = "{}";
    } else {
      argumentsJson = Json.mapper().writeValueAsString(arguments);
    }
    return new ToolCall(index, newId(), "function", new ToolCall.FunctionCall(node.path("name").asString(), argumentsJson));
  }

  /** {@code call_} and 24 random letters and digits, like OpenAI's ids (unique, not secret). */
  static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] id = new char[24];
    for (int i = 0; i < id.length; i++) {
      id[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return "call_" + new String(id);
  }
}
