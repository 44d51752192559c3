package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A whole {@code chat.completion} response. {@code created} is in Unix seconds. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatCompletion(
    @JsonProperty("id") String id,
    @JsonProperty("object") String object,
    @JsonProperty("created") long created,
    @JsonProperty("model") String model,
    @JsonProperty("choices") List<Choice> choices,
    @JsonProperty("usage") @Nullable Usage usage,
    @JsonProperty("system_fingerprint") @Nullable String systemFingerprint) {

  public static final String OBJECT = "chat.completion";

  public ChatCompletion {
    choices = List.copyOf(choices);
  }

  /** One choice. {@code logprobs} and {@code finish_reason} are always written, null or not, as OpenAI does. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Choice(
      @JsonProperty("index") int index,
      @JsonProperty("message") AssistantMessage message,
      @JsonProperty("logprobs") @Nullable ChoiceLogprobs logprobs,
      @JsonProperty("finish_reason") @Nullable String finishReason) {}

  /**
   * The generated message. {@code content} and {@code refusal} are always written (null when absent),
   * {@code tool_calls} only when the model called tools.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record AssistantMessage(
      @JsonProperty("role") String role,
      @JsonProperty("content") @Nullable String content,
      @JsonProperty("refusal") @Nullable String refusal,
      @JsonProperty("tool_calls") @JsonInclude(JsonInclude.Include.NON_EMPTY) @Nullable List<ToolCall> toolCalls) {

    public AssistantMessage {
      toolCalls = toolCalls == null ? null : List.copyOf(toolCalls);
    }
  }

  /** The first choice's text, or an empty string. */
  public String firstContent() {
    if (choices.isEmpty() || choices.get(0).message().content() == null) {
      return "";
    }
    return choices.get(0).message().content();
  }
}
