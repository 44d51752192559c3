package dev.modelhost.spi;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Usage of one request, for billing and metrics.
 *
 * @param service access path name of the service
 * @param caller who sent it (API key id or {@code local})
 * @param endpoint {@code chat.completions}, {@code completions}, or for relayed requests
 *     {@code embeddings} or {@code images.generations}
 * @param outcome how it ended
 * @param promptTokens for relayed requests the answer's {@code usage.prompt_tokens} (images:
 *     {@code usage.input_tokens})
 * @param completionTokens for relayed requests 0, or an image answer's {@code usage.output_tokens}
 * @param finishReason the first choice's finish reason, or null when it did not finish (always
 *     null for relayed requests)
 * @param errorCode the error's code or type when it failed
 * @param estimated token counts were computed by us, not reported by the model runtime
 * @param queueTime time waiting for a replica
 * @param timeToFirstToken from arrival to the first output (relayed: the whole answer), null when
 *     none was produced
 * @param totalTime from arrival to the end
 */
public record UsageRecord(
    String requestId,
    String service,
    String caller,
    String endpoint,
    Outcome outcome,
    int promptTokens,
    int completionTokens,
    @Nullable String finishReason,
    @Nullable String errorCode,
    boolean estimated,
    Instant startedAt,
    Duration queueTime,
    @Nullable Duration timeToFirstToken,
    Duration totalTime) {

  public enum Outcome {
    COMPLETED,
    FAILED,
    CANCELLED
  }
}
