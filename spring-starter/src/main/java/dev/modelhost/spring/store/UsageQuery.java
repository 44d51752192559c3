package dev.modelhost.spring.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Which ledger records to read: those that ended in {@code [from, to)}, optionally of one owner,
 * key and service. Null bounds and filters match everything.
 */
public record UsageQuery(
    @Nullable Instant from,
    @Nullable Instant to,
    @Nullable String owner,
    @Nullable String keyId,
    @Nullable String service) {

  public static final UsageQuery ALL = new UsageQuery(null, null, null, null, null);

  /** Whether {@code record} is one of those asked for. */
  public boolean matches(LedgerRecord record) {
    return (from == null || !record.endedAt().isBefore(from))
        && (to == null || record.endedAt().isBefore(to))
        && (owner == null || owner.equals(record.owner()))
        && (keyId == null || keyId.equals(record.keyId()))
        && (service == null || service.equals(record.service()));
  }
}
