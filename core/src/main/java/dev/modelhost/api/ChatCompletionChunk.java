package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One server-sent event of a streamed chat completion ({@code chat.completion.chunk}). The final
 * usage chunk has no choices and a {@code usage}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatCompletionChunk(
    @JsonProperty("id") String id,
    @JsonProperty("object") String object,
    @JsonProperty("created") long created,
    @JsonProperty("model") String model,
    @JsonProperty("system_fingerprint") @Nullable String systemFingerprint,
    @JsonProperty("choices") List<ChunkChoice> choices,
    @JsonProperty("usage") @Nullable Usage usage) {

  public static final String OBJECT = "chat.completion.chunk";

  public ChatCompletionChunk {
    choices = List.copyOf(choices);
  }

  /** A choice's increment. {@code logprobs} and {@code finish_reason} are always written. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ChunkChoice(
      @JsonProperty("index") int index,
      @JsonProperty("delta") Delta delta,
      @JsonProperty("logprobs") @Nullable ChoiceLogprobs logprobs,
      @JsonProperty("finish_reason") @Nullable String finishReason) {}

  /**
   * What a chunk adds to the message: the role (first chunk only), text, tool-call fragments.
   * Absent fields are left out, except in the first chunk, which carries the role: there {@code
   * content} and {@code refusal} are written even when null, as OpenAI does.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Delta(
      @JsonProperty("role") @Nullable String role,
      @JsonProperty("content") @Nullable String content,
      @JsonProperty("refusal") @Nullable String refusal,
      @JsonProperty("tool_calls") @Nullable List<ToolCall> toolCalls) {

    public Delta {
      toolCalls = toolCalls == null ? null : List.copyOf(toolCalls);
    }

    @JsonValue
    Map<String, Object> json() {
      Map<String, Object> json = new LinkedHashMap<>();
      if (role != null) {
        json.put("role", role);
      }
      if (role != null || content != null) {
        json.put("content", content);
      }
      if (role != null || refusal != null) {
        json.put("refusal", refusal);
      }
      if (toolCalls != null) {
        json.put("tool_calls", toolCalls);
      }
      return json;
    }
  }
}
