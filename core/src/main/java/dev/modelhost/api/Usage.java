package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/** Token counts of one request. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Usage(
    @JsonProperty("prompt_tokens") int promptTokens,
    @JsonProperty("completion_tokens") int completionTokens,
    @JsonProperty("total_tokens") int totalTokens,
    @JsonProperty("prompt_tokens_details") @Nullable PromptTokensDetails promptTokensDetails,
    @JsonProperty("completion_tokens_details") @Nullable CompletionTokensDetails completionTokensDetails) {

  public static Usage of(int promptTokens, int completionTokens) {
    return new Usage(promptTokens, completionTokens, promptTokens + completionTokens, null, null);
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PromptTokensDetails(
      @JsonProperty("cached_tokens") @Nullable Integer cachedTokens,
      @JsonProperty("audio_tokens") @Nullable Integer audioTokens) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record CompletionTokensDetails(
      @JsonProperty("reasoning_tokens") @Nullable Integer reasoningTokens,
      @JsonProperty("audio_tokens") @Nullable Integer audioTokens,
      @JsonProperty("accepted_prediction_tokens") @Nullable Integer acceptedPredictionTokens,
      @JsonProperty("rejected_prediction_tokens") @Nullable Integer rejectedPredictionTokens) {}
}
