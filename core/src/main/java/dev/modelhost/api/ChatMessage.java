package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One message of a conversation. {@code role} is one of {@code system}, {@code developer},
 * {@code user}, {@code assistant}, {@code tool}. {@code content} is a string or an array of parts.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatMessage(
    @JsonProperty("role") @Nullable String role,
    @JsonProperty("content") @Nullable MessageContent content,
    @JsonProperty("name") @Nullable String name,
    @JsonProperty("tool_calls") @Nullable List<ToolCall> toolCalls,
    @JsonProperty("tool_call_id") @Nullable String toolCallId) {

  public static final String SYSTEM = "system";
  public static final String DEVELOPER = "developer";
  public static final String USER = "user";
  public static final String ASSISTANT = "assistant";
  public static final String TOOL = "tool";

  /** The roles a request may use. */
  public static final List<String> ROLES = List.of(SYSTEM, DEVELOPER, USER, ASSISTANT, TOOL);

  public ChatMessage {
    toolCalls = Json.copyOfElements(toolCalls, "tool_calls", "an object");
  }

  public static ChatMessage system(String text) {
    return new ChatMessage(SYSTEM, MessageContent.of(text), null, null, null);
  }

  public static ChatMessage developer(String text) {
    return new ChatMessage(DEVELOPER, MessageContent.of(text), null, null, null);
  }

  public static ChatMessage user(String text) {
    return new ChatMessage(USER, MessageContent.of(text), null, null, null);
  }

  public static ChatMessage assistant(String text) {
    return new ChatMessage(ASSISTANT, MessageContent.of(text), null, null, null);
  }

  public static ChatMessage assistantToolCalls(List<ToolCall> toolCalls) {
    return new ChatMessage(ASSISTANT, null, null, toolCalls, null);
  }

  public static ChatMessage tool(String toolCallId, String text) {
    return new ChatMessage(TOOL, MessageContent.of(text), null, null, toolCallId);
  }

  /** The text of the content: the string, or the text parts joined; empty when absent. */
  public String text() {
    return content == null ? "" : content.text();
  }
}
