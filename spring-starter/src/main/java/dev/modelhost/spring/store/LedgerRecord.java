package dev.modelhost.spring.store;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One request on the usage ledger.
 *
 * @param requestId the response id ({@code chatcmpl-…}); the ledger holds each at most once
 * @param keyId the API key that sent it ({@code local} for in-process calls)
 * @param owner the owner namespace of the service
 * @param service the service's access path name
 * @param serviceInstanceId the incarnation of the service (see {@link StoredService#instanceId()})
 * @param endpoint {@code chat.completions}, {@code completions}, {@code embeddings}, …
 * @param finishReason the first choice's finish reason, {@code cancelled} when the caller went away
 *     or {@code error} when it failed
 * @param estimated whether the token counts were estimated rather than reported by the model
 * @param cost the charge under the service's billing method when the request ended
 */
public record LedgerRecord(
    String requestId,
    String keyId,
    String owner,
    String service,
    String serviceInstanceId,
    String endpoint,
    @Nullable String finishReason,
    long promptTokens,
    long completionTokens,
    boolean estimated,
    Instant startedAt,
    Instant endedAt,
    BigDecimal cost,
    String currency) {

  public LedgerRecord {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(serviceInstanceId, "serviceInstanceId");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(endedAt, "endedAt");
    Objects.requireNonNull(cost, "cost");
    Objects.requireNonNull(currency, "currency");
  }
}
