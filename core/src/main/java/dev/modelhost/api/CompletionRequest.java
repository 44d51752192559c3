package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Legacy {@code POST /v1/completions} request body. Unknown fields are ignored. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CompletionRequest(
    @JsonProperty("model") @Nullable String model,
    @JsonProperty("prompt") @Nullable Prompt prompt,
    @JsonProperty("suffix") @Nullable String suffix,
    @JsonProperty("max_tokens") @Nullable Integer maxTokens,
    @JsonProperty("temperature") @Nullable Double temperature,
    @JsonProperty("top_p") @Nullable Double topP,
    @JsonProperty("n") @Nullable Integer n,
    @JsonProperty("best_of") @Nullable Integer bestOf,
    @JsonProperty("stream") @Nullable Boolean stream,
    @JsonProperty("stream_options") @Nullable StreamOptions streamOptions,
    @JsonProperty("logprobs") @Nullable Integer logprobs,
    @JsonProperty("echo") @Nullable Boolean echo,
    @JsonProperty("stop") @Nullable StopSequences stop,
    @JsonProperty("presence_penalty") @Nullable Double presencePenalty,
    @JsonProperty("frequency_penalty") @Nullable Double frequencyPenalty,
    @JsonProperty("logit_bias") @Nullable Map<String, Double> logitBias,
    @JsonProperty("seed") @Nullable Long seed,
    @JsonProperty("user") @Nullable String user,
    @JsonProperty("top_k") @Nullable Integer topK,
    @JsonProperty("min_p") @Nullable Double minP,
    @JsonProperty("repetition_penalty") @Nullable Double repetitionPenalty) {

  /** The legacy default when {@code max_tokens} is absent. */
  public static final int DEFAULT_MAX_TOKENS = 16;

  public CompletionRequest {
    logitBias = Json.copyOfValues(logitBias, "logit_bias", "a number");
  }

  public boolean isStream() {
    return Boolean.TRUE.equals(stream);
  }

  public int choiceCount() {
    return n == null ? 1 : n;
  }

  public boolean includeUsageInStream() {
    return streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
  }

  /** A request with just a model, a text prompt and a token limit. */
  public static CompletionRequest of(String model, String prompt, int maxTokens) {
    return new CompletionRequest(model, Prompt.of(prompt), null, maxTokens, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null, null, null, null);
  }
}
