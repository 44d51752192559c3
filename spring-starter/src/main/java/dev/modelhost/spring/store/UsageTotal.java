package dev.modelhost.spring.store;

import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * Sums over the ledger records of one group. A grouping dimension that was not asked for is null.
 *
 * @param failed records whose finish reason is {@code error}
 * @param cancelled records whose finish reason is {@code cancelled}
 */
public record UsageTotal(
    @Nullable String owner,
    @Nullable String keyId,
    @Nullable String service,
    String currency,
    long requests,
    long failed,
    long cancelled,
    long promptTokens,
    long completionTokens,
    BigDecimal cost) {}
