package dev.modelhost.spring;

import dev.modelhost.exception.InvalidRequestException;
import java.math.BigDecimal;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Limits of one API key; a null limit is no limit. Counted by each server on its own, except the
 * budget, which is checked against the shared usage ledger.
 *
 * @param requestsPerMinute requests started in any 60 seconds
 * @param tokensPerMinute prompt and completion tokens in any 60 seconds (a request counts its
 *     {@code max_tokens} until it ends)
 * @param concurrentRequests requests in flight at once
 * @param budget spending limit per {@code budgetPeriod}, in the services' currency
 * @param budgetPeriod {@code day} or {@code month} (UTC calendar periods), or {@code total}
 */
public record KeyQuota(
    @Nullable Integer requestsPerMinute,
    @Nullable Long tokensPerMinute,
    @Nullable Integer concurrentRequests,
    @Nullable BigDecimal budget,
    String budgetPeriod) {

  public static final KeyQuota NONE = new KeyQuota(null, null, null, null, "month");

  public KeyQuota {
    positive("requests_per_minute", requestsPerMinute == null ? null : requestsPerMinute.longValue());
    positive("tokens_per_minute", tokensPerMinute);
    positive("concurrent_requests", concurrentRequests == null ? null : concurrentRequests.longValue());
    if (budget != null && budget.signum() < 0) {
      throw new InvalidRequestException("budget must not be negative.", "quota.budget", "invalid_value");
    }
    budgetPeriod = budgetPeriod == null ? "month" : budgetPeriod.toLowerCase(Locale.ROOT);
    if (!budgetPeriod.equals("day") && !budgetPeriod.equals("month") && !budgetPeriod.equals("total")) {
      throw new InvalidRequestException("budget_period must be 'day', 'month' or 'total', got '" + budgetPeriod + "'.",
          "quota.budget_period", "invalid_value");
    }
  }

  /** Whether any limit is set. */
  public boolean limited() {
    return requestsPerMinute != null || tokensPerMinute != null || concurrentRequests != null || budget != null;
  }

  private static void positive(String name, @Nullable Long value) {
    if (value != null && value < 1) {
      throw new InvalidRequestException(name + " must be at least 1, got " + value + ".", "quota." + name,
          "invalid_value");
    }
  }
}
