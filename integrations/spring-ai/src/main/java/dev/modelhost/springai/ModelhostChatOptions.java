package dev.modelhost.springai;

import dev.modelhost.api.ToolChoice;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.model.tool.DefaultToolCallingChatOptions;
import org.springframework.ai.model.tool.StructuredOutputChatOptions;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;

/**
 * Options of a request to a Modelhost service: Spring AI's common ones ({@code model} is the
 * service's access path, {@code owner/name}), tool callbacks and their context, the output
 * schema of native structured output (sent as {@code response_format} json_schema), and what a
 * service reads beyond them: {@code seed}, {@code min_p}, {@code repetition_penalty},
 * {@code tool_choice} and {@code parallel_tool_calls}. Immutable; {@link #mutate()} gives a builder initialised with these values.
 */
public final class ModelhostChatOptions implements ToolCallingChatOptions, StructuredOutputChatOptions {

  private final @Nullable String model;
  private final @Nullable Double frequencyPenalty;
  private final @Nullable Integer maxTokens;
  private final @Nullable Double presencePenalty;
  private final @Nullable List<String> stopSequences;
  private final @Nullable Double temperature;
  private final @Nullable Integer topK;
  private final @Nullable Double topP;
  private final @Nullable List<ToolCallback> toolCallbacks;
  private final @Nullable Map<String, Object> toolContext;
  private final @Nullable String outputSchema;
  private final @Nullable Long seed;
  private final @Nullable Double minP;
  private final @Nullable Double repetitionPenalty;
  private final @Nullable ToolChoice toolChoice;
  private final @Nullable Boolean parallelToolCalls;

  private ModelhostChatOptions(@Nullable String model, @Nullable Double frequencyPenalty, @Nullable Integer maxTokens,
      @Nullable Double presencePenalty, @Nullable List<String> stopSequences, @Nullable Double temperature,
      @Nullable Integer topK, @Nullable Double topP, @Nullable List<ToolCallback> toolCallbacks,
      @Nullable Map<String, Object> toolContext, @Nullable String outputSchema, @Nullable Long seed,
      @Nullable Double minP, @Nullable Double repetitionPenalty, @Nullable ToolChoice toolChoice,
      @Nullable Boolean parallelToolCalls) {
    this.model = model;
    this.frequencyPenalty = frequencyPenalty;
    this.maxTokens = maxTokens;
    this.presencePenalty = presencePenalty;
    this.stopSequences = stopSequences == null ? null : List.copyOf(stopSequences);
    this.temperature = temperature;
    this.topK = topK;
    this.topP = topP;
    this.toolCallbacks = toolCallbacks == null ? null : List.copyOf(toolCallbacks);
    this.toolContext = toolContext == null ? null : Map.copyOf(toolContext);
    this.outputSchema = outputSchema;
    this.seed = seed;
    this.minP = minP;
    this.repetitionPenalty = repetitionPenalty;
    this.toolChoice = toolChoice;
    this.parallelToolCalls = parallelToolCalls;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Builder mutate() {
    return builder()
        .model(model)
        .frequencyPenalty(frequencyPenalty)
        .maxTokens(maxTokens)
        .presencePenalty(presencePenalty)
        .stopSequences(stopSequences)
        .temperature(temperature)
        .topK(topK)
        .topP(topP)
        .toolCallbacks(toolCallbacks)
        .toolContext(toolContext)
        .outputSchema(outputSchema)
        .seed(seed)
        .minP(minP)
        .repetitionPenalty(repetitionPenalty)
        .toolChoice(toolChoice)
        .parallelToolCalls(parallelToolCalls);
  }

  @Override public @Nullable String getModel() { return model; }
  @Override public @Nullable Double getFrequencyPenalty() { return frequencyPenalty; }
  @Override public @Nullable Integer getMaxTokens() { return maxTokens; }
  @Override public @Nullable Double getPresencePenalty() { return presencePenalty; }
  @Override public @Nullable List<String> getStopSequences() { return stopSequences; }
  @Override public @Nullable Double getTemperature() { return temperature; }
  @Override public @Nullable Integer getTopK() { return topK; }
  @Override public @Nullable Double getTopP() { return topP; }
  @Override public @Nullable List<ToolCallback> getToolCallbacks() { return toolCallbacks; }
  @Override public @Nullable Map<String, Object> getToolContext() { return toolContext; }
  @Override public @Nullable String getOutputSchema() { return outputSchema; }
  public @Nullable Long getSeed() { return seed; }
  public @Nullable Double getMinP() { return minP; }
  public @Nullable Double getRepetitionPenalty() { return repetitionPenalty; }
  public @Nullable ToolChoice getToolChoice() { return toolChoice; }
  public @Nullable Boolean getParallelToolCalls() { return parallelToolCalls; }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ModelhostChatOptions that
        && Objects.equals(model, that.model)
        && Objects.equals(frequencyPenalty, that.frequencyPenalty)
        && Objects.equals(maxTokens, that.maxTokens)
        && Objects.equals(presencePenalty, that.presencePenalty)
        && Objects.equals(stopSequences, that.stopSequences)
        && Objects.equals(temperature, that.temperature)
        && Objects.equals(topK, that.topK)
        && Objects.equals(topP, that.topP)
        && Objects.equals(toolCallbacks, that.toolCallbacks)
        && Objects.equals(toolContext, that.toolContext)
        && Objects.equals(outputSchema, that.outputSchema)
        && Objects.equals(seed, that.seed)
        && Objects.equals(minP, that.minP)
        && Objects.equals(repetitionPenalty, that.repetitionPenalty)
        && Objects.equals(toolChoice, that.toolChoice)
        && Objects.equals(parallelToolCalls, that.parallelToolCalls);
  }

  @Override
  public int hashCode() {
    return Objects.hash(model, frequencyPenalty, maxTokens, presencePenalty, stopSequences, temperature, topK, topP,
        toolCallbacks, toolContext, outputSchema, seed, minP, repetitionPenalty, toolChoice, parallelToolCalls);
  }

  @Override
  public String toString() {
    return "ModelhostChatOptions{model=" + model + ", temperature=" + temperature + ", topP=" + topP + ", topK=" + topK
        + ", maxTokens=" + maxTokens + ", stopSequences=" + stopSequences + ", seed=" + seed + ", toolChoice="
        + toolChoice + ", tools=" + (toolCallbacks == null ? 0 : toolCallbacks.size()) + "}";
  }

  /** Spring AI's tool-calling builder, plus the output schema and Modelhost's own options. */
  public static final class Builder extends DefaultToolCallingChatOptions.Builder<Builder>
      implements StructuredOutputChatOptions.Builder<Builder> {

    private @Nullable String outputSchema;
    private @Nullable Long seed;
    private @Nullable Double minP;
    private @Nullable Double repetitionPenalty;
    private @Nullable ToolChoice toolChoice;
    private @Nullable Boolean parallelToolCalls;

    private Builder() {}

    /** A JSON Schema the answer must follow (native structured output); null for free text. */
    @Override
    public Builder outputSchema(@Nullable String outputSchema) {
      this.outputSchema = outputSchema;
      return this;
    }

    public Builder seed(@Nullable Long seed) {
      this.seed = seed;
      return this;
    }

    public Builder minP(@Nullable Double minP) {
      this.minP = minP;
      return this;
    }

    public Builder repetitionPenalty(@Nullable Double repetitionPenalty) {
      this.repetitionPenalty = repetitionPenalty;
      return this;
    }

    /** {@code auto}, {@code none}, {@code required} or one named function ({@link ToolChoice#function}). */
    public Builder toolChoice(@Nullable ToolChoice toolChoice) {
      this.toolChoice = toolChoice;
      return this;
    }

    /** False allows at most one tool call per answer. */
    public Builder parallelToolCalls(@Nullable Boolean parallelToolCalls) {
      this.parallelToolCalls = parallelToolCalls;
      return this;
    }

    /** Takes every option {@code other} sets (Spring AI's rule: lists are appended), Modelhost's own too. */
    @Override
    public Builder combineWith(ChatOptions.Builder<?> other) {
      super.combineWith(other);
      if (other instanceof Builder that) {
        outputSchema = that.outputSchema != null ? that.outputSchema : outputSchema;
        seed = that.seed != null ? that.seed : seed;
        minP = that.minP != null ? that.minP : minP;
        repetitionPenalty = that.repetitionPenalty != null ? that.repetitionPenalty : repetitionPenalty;
        toolChoice = that.toolChoice != null ? that.toolChoice : toolChoice;
        parallelToolCalls = that.parallelToolCalls != null ? that.parallelToolCalls : parallelToolCalls;
      }
      return this;
    }

    @Override
    public ModelhostChatOptions build() {
      // Spring's builder keeps the common options in protected fields, readable only here.
      return new ModelhostChatOptions(model, frequencyPenalty, maxTokens, presencePenalty, stopSequences, temperature,
          topK, topP, toolCallbacks, toolContext, outputSchema, seed, minP, repetitionPenalty, toolChoice,
          parallelToolCalls);
    }
  }
}
