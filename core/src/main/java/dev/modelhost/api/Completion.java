package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Legacy {@code text_completion} response; also each streamed event of {@code /v1/completions}
 * (same object, partial text).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Completion(
    @JsonProperty("id") String id,
    @JsonProperty("object") String object,
    @JsonProperty("created") long created,
    @JsonProperty("model") String model,
    @JsonProperty("system_fingerprint") @Nullable String systemFingerprint,
    @JsonProperty("choices") List<Choice> choices,
    @JsonProperty("usage") @Nullable Usage usage) {

  public static final String OBJECT = "text_completion";

  public Completion {
    choices = List.copyOf(choices);
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
