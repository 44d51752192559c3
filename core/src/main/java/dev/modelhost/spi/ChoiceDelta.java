package dev.modelhost.spi;

import dev.modelhost.api.ChoiceLogprobs.TokenLogprob;
import dev.modelhost.api.ToolCall;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An increment of choice {@code index}: text, tool-call fragments (each with its {@code index}),
 * log probabilities of the tokens just emitted, and the finish reason on the choice's last delta
 * ({@code stop}, {@code length}, {@code tool_calls}, {@code content_filter}).
 */
public record ChoiceDelta(
    int index,
    @Nullable String text,
    @Nullable List<ToolCall> toolCalls,
    @Nullable List<TokenLogprob> logprobs,
    @Nullable String finishReason) {

  public ChoiceDelta {
    toolCalls = toolCalls == null ? null : List.copyOf(toolCalls);
    logprobs = logprobs == null ? null : List.copyOf(logprobs);
  }

  public static ChoiceDelta text(int index, String text) {
    return new ChoiceDelta(index, text, null, null, null);
  }

  public static ChoiceDelta finish(int index, String finishReason) {
    return new ChoiceDelta(index, null, null, null, finishReason);
  }
}
