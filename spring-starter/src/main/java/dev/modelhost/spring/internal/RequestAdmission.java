package dev.modelhost.spring.internal;

import dev.modelhost.BillingMethod;
import dev.modelhost.exception.AuthenticationException;
import dev.modelhost.spring.ApiKey;
import dev.modelhost.spring.ApiKeys;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What an inference request must pass once its body is read, before it reaches the host: the
 * usage ledger must be keeping up (else 503) and the key's quota must admit it (else 429). Also
 * watches a streaming request's key, so that revoking the key ends the stream.
 */
public final class RequestAdmission {

  private final LedgerWriter ledger;
  private final QuotaGate quotas;
  private final ServiceCatalog catalog;
  private final ApiKeys keys;
  private final Clock clock;
  private final int defaultMaxTokens;
  private final Duration acknowledgementTimeout;

  /**
   * @param defaultMaxTokens the completion tokens reserved for a request that sets no limit
   * @param acknowledgementTimeout how long a finished response waits for its usage record to be
   *     committed before it is sent anyway (only while the database fails)
   */
  public RequestAdmission(LedgerWriter ledger, QuotaGate quotas, ServiceCatalog catalog, ApiKeys keys, Clock clock,
      int defaultMaxTokens, Duration acknowledgementTimeout) {
    this.ledger = ledger;
    this.quotas = quotas;
    this.catalog = catalog;
    this.keys = keys;
    this.clock = clock;
    this.defaultMaxTokens = defaultMaxTokens;
    this.acknowledgementTimeout = acknowledgementTimeout;
  }

  /** Waits until the usage record of {@code requestId} is committed (see {@link LedgerWriter}). */
  public void awaitRecorded(String requestId) {
    ledger.awaitWritten(requestId, acknowledgementTimeout);
  }

  /**
   * Admits a request to {@code model} that may write {@code maxTokens} completion tokens per choice.
   * Its prompt is reckoned at no more tokens than its body has bytes.
   */
  public QuotaGate.Ticket admit(ApiKey key, @Nullable String model, @Nullable Integer maxTokens, int choices,
      long bodyBytes) {
    ledger.checkAccepting();
    long promptTokens = Math.max(bodyBytes, 0);
    long completionTokens = (long) (maxTokens != null ? maxTokens : defaultMaxTokens) * Math.max(choices, 1);
    BillingMethod billing = model == null ? BillingMethod.free() : catalog.booking(model).billing();
    BigDecimal cost = billing.cost(promptTokens, completionTokens);
    return quotas.admit(key, promptTokens + completionTokens, cost);
  }

  /** An error once {@code key} is revoked or expired, else null: ends its streams. */
  public Supplier<@Nullable RuntimeException> revocation(ApiKey key) {
    return () -> {
      ApiKey current = keys.find(key.id()).orElse(null);
      if (current != null && current.usable(clock.instant())) {
        return null;
      }
      return new AuthenticationException("The API key of this request was revoked or has expired.");
    };
  }
}
