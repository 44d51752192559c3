package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Legacy {@code text_completion} response; also each streamed event of {@code /v1/completions}
 * (same object, partial text).
 *
 * <p>{@code includeUsage} says whether a stream was asked for usage ({@code
 * stream_options.include_usage}). Then, as OpenAI does, every event before the usage event writes
 * {@code "usage": null}; otherwise events without usage leave it out.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Completion(
    String id,
    String object,
    long created,
    String model,
    @Nullable String systemFingerprint,
    List<Choice> choices,
    @Nullable Usage usage,
    boolean includeUsage) {

  public static final String OBJECT = "text_completion";

  public Completion {
    choices = List.copyOf(choices);
    includeUsage = includeUsage || usage != null;
  }

  /** A whole response, a stream event of a stream not asked for usage, or the usage event. */
  public Completion(String id, String object, long created, String model,
      @Nullable String systemFingerprint, List<Choice> choices, @Nullable Usage usage) {
    this(id, object, created, model, systemFingerprint, choices, usage, usage != null);
  }

  @JsonCreator
  static Completion fromJson(
      @JsonProperty("id") String id,
      @JsonProperty("object") String object,
      @JsonProperty("created") long created,
      @JsonProperty("model") String model,
      @JsonProperty("system_fingerprint") @Nullable String systemFingerprint,
      @JsonProperty("choices") List<Choice> choices,
      @JsonProperty("usage") @Nullable JsonNode usage) {
    return new Completion(id, object, created, model, systemFingerprint, choices,
        Usage.fromField(usage), usage != null);
  }

  @JsonValue
  Map<String, Object> json() {
    return Json.responseFields(id, object, created, model, systemFingerprint, choices, usage, includeUsage);
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
