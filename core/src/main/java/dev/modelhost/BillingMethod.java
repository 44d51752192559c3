package dev.modelhost;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * How a service's use is charged: free, or per token with prices per million prompt and
 * completion tokens in {@code currency}.
 */
public record BillingMethod(String type, BigDecimal promptPricePerMillion, BigDecimal completionPricePerMillion, String currency) {

  public static final String FREE = "free";
  public static final String PER_TOKEN = "per_token";

  public BillingMethod {
    Objects.requireNonNull(type, "type");
    if (!type.equals(FREE) && !type.equals(PER_TOKEN)) {
      throw new IllegalArgumentException("billing type must be 'free' or 'per_token', got '" + type + "'");
    }
    if (promptPricePerMillion.signum() < 0 || completionPricePerMillion.signum() < 0) {
      throw new IllegalArgumentException("prices must not be negative");
    }
  }

  public static BillingMethod free() {
    return new BillingMethod(FREE, BigDecimal.ZERO, BigDecimal.ZERO, "USD");
  }

  public static BillingMethod perToken(BigDecimal promptPerMillion, BigDecimal completionPerMillion, String currency) {
    return new BillingMethod(PER_TOKEN, promptPerMillion, completionPerMillion, currency);
  }

  /** The charge for one request's tokens. */
  public BigDecimal cost(long promptTokens, long completionTokens) {
    BigDecimal million = BigDecimal.valueOf(1_000_000);
    return promptPricePerMillion.multiply(BigDecimal.valueOf(promptTokens))
        .add(completionPricePerMillion.multiply(BigDecimal.valueOf(completionTokens)))
        .divide(million);
  }
}
