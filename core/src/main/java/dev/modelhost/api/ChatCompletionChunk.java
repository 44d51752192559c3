package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One server-sent event of a streamed chat completion ({@code chat.completion.chunk}). The final
 * usage chunk has no choices and a {@code usage}.
 *
 * <p>Whether {@code usage} is written when it is null is the stream's matter, not the chunk's: a
 * stream asked for usage ({@code stream_options.include_usage}) writes {@code "usage": null} in
 * every chunk before the usage chunk, as OpenAI does; {@link Json#streamEvent(ChatCompletionChunk,
 * boolean)} writes a chunk so. Written on its own, a chunk leaves a null {@code usage} out.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatCompletionChunk(
    String id,
    String object,
    long created,
    String model,
    @Nullable String systemFingerprint,
    List<ChunkChoice> choices,
    @Nullable Usage usage) {

  public static final String OBJECT = "chat.completion.chunk";

  public ChatCompletionChunk {
    choices = List.copyOf(choices);
  }

  @JsonCreator
  static ChatCompletionChunk fromJson(
      @JsonProperty("id") String id,
      @JsonProperty("object") String object,
      @JsonProperty("created") long created,
      @JsonProperty("model") String model,
      @JsonProperty("system_fingerprint") @Nullable String systemFingerprint,
      @JsonProperty("choices") List<ChunkChoice> choices,
      @JsonProperty("usage") @Nullable Usage usage) {
    return new ChatCompletionChunk(id, object, created, model, systemFingerprint, choices, usage);
  }

  @JsonValue
  Map<String, Object> json() {
    return json(false);
  }

  /** The fields; {@code usageRequested} writes {@code "usage": null} when there is no usage. */
  Map<String, Object> json(boolean usageRequested) {
    return Json.responseFields(id, object, created, model, systemFingerprint, choices, usage, usageRequested || usage != null);
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
