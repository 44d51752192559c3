package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST /v1/chat/completions} request body. Unknown fields are ignored (as OpenAI-compatible
 * servers commonly do) so that newer clients keep working; every known field is validated.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatCompletionRequest(
    @JsonProperty("model") @Nullable String model,
    @JsonProperty("messages") @Nullable List<ChatMessage> messages,
    @JsonProperty("temperature") @Nullable Double temperature,
    @JsonProperty("top_p") @Nullable Double topP,
    @JsonProperty("n") @Nullable Integer n,
    @JsonProperty("stream") @Nullable Boolean stream,
    @JsonProperty("stream_options") @Nullable StreamOptions streamOptions,
    @JsonProperty("stop") @Nullable StopSequences stop,
    @JsonProperty("max_tokens") @Nullable Integer maxTokens,
    @JsonProperty("max_completion_tokens") @Nullable Integer maxCompletionTokens,
    @JsonProperty("presence_penalty") @Nullable Double presencePenalty,
    @JsonProperty("frequency_penalty") @Nullable Double frequencyPenalty,
    @JsonProperty("logit_bias") @Nullable Map<String, Double> logitBias,
    @JsonProperty("logprobs") @Nullable Boolean logprobs,
    @JsonProperty("top_logprobs") @Nullable Integer topLogprobs,
    @JsonProperty("seed") @Nullable Long seed,
    @JsonProperty("user") @Nullable String user,
    @JsonProperty("tools") @Nullable List<Tool> tools,
    @JsonProperty("tool_choice") @Nullable ToolChoice toolChoice,
    @JsonProperty("parallel_tool_calls") @Nullable Boolean parallelToolCalls,
    @JsonProperty("response_format") @Nullable ResponseFormat responseFormat,
    @JsonProperty("top_k") @Nullable Integer topK,
    @JsonProperty("min_p") @Nullable Double minP,
    @JsonProperty("repetition_penalty") @Nullable Double repetitionPenalty) {

  public ChatCompletionRequest {
    messages = Json.copyOfElements(messages, "messages", "an object");
    logitBias = Json.copyOfValues(logitBias, "logit_bias", "a number");
    tools = Json.copyOfElements(tools, "tools", "an object");
  }

  /** Whether the answer is to be streamed as chunks. */
  public boolean isStream() {
    return Boolean.TRUE.equals(stream);
  }

  /** Number of choices asked for (1 when absent). */
  public int choiceCount() {
    return n == null ? 1 : n;
  }

  /** The completion-token limit: {@code max_completion_tokens} wins over the legacy {@code max_tokens}. */
  public @Nullable Integer completionTokenLimit() {
    return maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
  }

  /** Whether the caller asked for a final usage chunk in a stream. */
  public boolean includeUsageInStream() {
    return streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
  }

  public static Builder builder(String model) {
    return new Builder().model(model);
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.model = model;
    b.messages = messages == null ? new ArrayList<>() : new ArrayList<>(messages);
    b.temperature = temperature;
    b.topP = topP;
    b.n = n;
    b.stream = stream;
    b.streamOptions = streamOptions;
    b.stop = stop;
    b.maxTokens = maxTokens;
    b.maxCompletionTokens = maxCompletionTokens;
    b.presencePenalty = presencePenalty;
    b.frequencyPenalty = frequencyPenalty;
    b.logitBias = logitBias == null ? null : new LinkedHashMap<>(logitBias);
    b.logprobs = logprobs;
    b.topLogprobs = topLogprobs;
    b.seed = seed;
    b.user = user;
    b.tools = tools == null ? null : new ArrayList<>(tools);
    b.toolChoice = toolChoice;
    b.parallelToolCalls = parallelToolCalls;
    b.responseFormat = responseFormat;
    b.topK = topK;
    b.minP = minP;
    b.repetitionPenalty = repetitionPenalty;
    return b;
  }

  /** Mutable builder; {@link #build()} makes an immutable request. */
  public static final class Builder {
    private @Nullable String model;
    private List<ChatMessage> messages = new ArrayList<>();
    private @Nullable Double temperature;
    private @Nullable Double topP;
    private @Nullable Integer n;
    private @Nullable Boolean stream;
    private @Nullable StreamOptions streamOptions;
    private @Nullable StopSequences stop;
    private @Nullable Integer maxTokens;
    private @Nullable Integer maxCompletionTokens;
    private @Nullable Double presencePenalty;
    private @Nullable Double frequencyPenalty;
    private @Nullable Map<String, Double> logitBias;
    private @Nullable Boolean logprobs;
    private @Nullable Integer topLogprobs;
    private @Nullable Long seed;
    private @Nullable String user;
    private @Nullable List<Tool> tools;
    private @Nullable ToolChoice toolChoice;
    private @Nullable Boolean parallelToolCalls;
    private @Nullable ResponseFormat responseFormat;
    private @Nullable Integer topK;
    private @Nullable Double minP;
    private @Nullable Double repetitionPenalty;

    private Builder() {}

    public Builder model(String model) { this.model = Objects.requireNonNull(model, "model"); return this; }
    public Builder messages(List<ChatMessage> messages) { this.messages = new ArrayList<>(messages); return this; }
    public Builder addMessage(ChatMessage message) { this.messages.add(Objects.requireNonNull(message)); return this; }
    public Builder temperature(@Nullable Double temperature) { this.temperature = temperature; return this; }
    public Builder topP(@Nullable Double topP) { this.topP = topP; return this; }
    public Builder n(@Nullable Integer n) { this.n = n; return this; }
    public Builder stream(@Nullable Boolean stream) { this.stream = stream; return this; }
    public Builder streamOptions(@Nullable StreamOptions streamOptions) { this.streamOptions = streamOptions; return this; }
    public Builder stop(@Nullable StopSequences stop) { this.stop = stop; return this; }
    public Builder stop(String... stop) { this.stop = StopSequences.of(stop); return this; }
    public Builder maxTokens(@Nullable Integer maxTokens) { this.maxTokens = maxTokens; return this; }
    public Builder maxCompletionTokens(@Nullable Integer maxCompletionTokens) { this.maxCompletionTokens = maxCompletionTokens; return this; }
    public Builder presencePenalty(@Nullable Double presencePenalty) { this.presencePenalty = presencePenalty; return this; }
    public Builder frequencyPenalty(@Nullable Double frequencyPenalty) { this.frequencyPenalty = frequencyPenalty; return this; }
    public Builder logitBias(@Nullable Map<String, Double> logitBias) { this.logitBias = logitBias; return this; }
    public Builder logprobs(@Nullable Boolean logprobs) { this.logprobs = logprobs; return this; }
    public Builder topLogprobs(@Nullable Integer topLogprobs) { this.topLogprobs = topLogprobs; return this; }
    public Builder seed(@Nullable Long seed) { this.seed = seed; return this; }
    public Builder user(@Nullable String user) { this.user = user; return this; }
    public Builder tools(@Nullable List<Tool> tools) { this.tools = tools; return this; }
    public Builder toolChoice(@Nullable ToolChoice toolChoice) { this.toolChoice = toolChoice; return this; }
    public Builder parallelToolCalls(@Nullable Boolean parallelToolCalls) { this.parallelToolCalls = parallelToolCalls; return this; }
    public Builder responseFormat(@Nullable ResponseFormat responseFormat) { this.responseFormat = responseFormat; return this; }
    public Builder topK(@Nullable Integer topK) { this.topK = topK; return this; }
    public Builder minP(@Nullable Double minP) { this.minP = minP; return this; }
    public Builder repetitionPenalty(@Nullable Double repetitionPenalty) { this.repetitionPenalty = repetitionPenalty; return this; }

    public ChatCompletionRequest build() {
      return new ChatCompletionRequest(
          model, messages, temperature, topP, n, stream, streamOptions, stop, maxTokens,
          maxCompletionTokens, presencePenalty, frequencyPenalty, logitBias, logprobs, topLogprobs,
          seed, user, tools, toolChoice, parallelToolCalls, responseFormat, topK, minP,
          repetitionPenalty);
    }
  }
}
