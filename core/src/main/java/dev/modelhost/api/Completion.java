package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Legacy {@code text_completion} response; also each streamed event of {@code /v1/completions}
 * (same object, partial text).
 *
 * <p>Whether {@code usage} is written when it is null is the stream's matter, not the event's: a
 * stream asked for usage ({@code stream_options.include_usage}) writes {@code "usage": null} in
 * every event before the usage event, as OpenAI does; {@link Json#streamEvent(Completion, boolean)}
 * writes an event so. Written on its own, an event leaves a null {@code usage} out.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Completion(
    String id,
    String object,
    long created,
    String model,
    @Nullable String systemFingerprint,
    List<Choice> choices,
    @Nullable Usage usage) {

  public static final String OBJECT = "text_completion";

  public Completion {
    choices = List.copyOf(choices);
  }

  @JsonCreator
  static Completion fromJson(
      @JsonProperty("id") String id,
      @JsonProperty("object") String object,
      @JsonProperty("created") long created,
      @JsonProperty("model") String model,
      @JsonProperty("system_fingerprint") @Nullable String systemFingerprint,
      @JsonProperty("choices") List<Choice> choices,
      @JsonProperty("usage") @Nullable Usage usage) {
    return new Completion(id, object, created, model, systemFingerprint, choices, usage);
  }

  @JsonValue
  Map<String, Object> json() {
    return json(false);
  }

  /** The fields; {@code usageRequested} writes {@code "usage": null} when there is no usage. */
  Map<String, Object> json(boolean usageRequested) {
    return Json.responseFields(id, object, created, model, systemFingerprint, choices, usage, usageRequested || usage != null);
  }

  /** One choice; {@code logprobs} and {@code finish_reason} are always written. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Choice(
      @JsonProperty("text") String text,
      @JsonProperty("index") int index,
      @JsonProperty("logprobs") @Nullable Logprobs logprobs,
      @JsonProperty("finish_reason") @Nullable String finishReason) {}

  /**
   * The legacy logprobs layout: parallel arrays, one entry per token. With {@code echo} the first
   * prompt token has no log probability: its {@code token_logprobs} and {@code top_logprobs}
   * entries are null.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Logprobs(
      @JsonProperty("tokens") List<String> tokens,
      @JsonProperty("token_logprobs") List<@Nullable Double> tokenLogprobs,
      @JsonProperty("top_logprobs") List<@Nullable Map<String, Double>> topLogprobs,
      @JsonProperty("text_offset") List<Integer> textOffset) {

    public Logprobs {
      tokens = List.copyOf(tokens);
      tokenLogprobs = Json.copyWithNulls(tokenLogprobs);
      topLogprobs = Json.copyWithNulls(topLogprobs);
      textOffset = List.copyOf(textOffset);
    }
  }
}
