package dev.modelhost.spring.internal.store;

import dev.modelhost.spring.store.LedgerRecord;
import dev.modelhost.spring.store.UsageLedger.GroupBy;
import dev.modelhost.spring.store.UsageTotal;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Sums ledger records per group in memory, as the JDBC ledger's GROUP BY does in the database. */
final class UsageTotals {

  static final String FAILED = "error";
  static final String CANCELLED = "cancelled";

  private UsageTotals() {}

  static List<UsageTotal> of(List<LedgerRecord> records, Set<GroupBy> groupBy) {
    Map<List<String>, UsageTotal> totals = new HashMap<>();
    for (LedgerRecord record : records) {
      String owner = groupBy.contains(GroupBy.OWNER) ? record.owner() : null;
      String keyId = groupBy.contains(GroupBy.KEY) ? record.keyId() : null;
      String service = groupBy.contains(GroupBy.SERVICE) ? record.service() : null;
      List<String> key = Arrays.asList(owner, keyId, service, record.currency());
      UsageTotal sum = totals.getOrDefault(key,
          new UsageTotal(owner, keyId, service, record.currency(), 0, 0, 0, 0, 0, BigDecimal.ZERO));
      totals.put(key, new UsageTotal(owner, keyId, service, record.currency(), sum.requests() + 1,
          sum.failed() + (FAILED.equals(record.finishReason()) ? 1 : 0),
          sum.cancelled() + (CANCELLED.equals(record.finishReason()) ? 1 : 0),
          sum.promptTokens() + record.promptTokens(), sum.completionTokens() + record.completionTokens(),
          sum.cost().add(record.cost())));
    }
    return totals.values().stream().sorted(ORDER).toList();
  }

  /** The order both ledgers list totals in. */
  static final Comparator<UsageTotal> ORDER = Comparator
      .comparing((UsageTotal t) -> Objects.toString(t.owner(), ""))
      .thenComparing(t -> Objects.toString(t.keyId(), ""))
      .thenComparing(t -> Objects.toString(t.service(), ""))
      .thenComparing(UsageTotal::currency);
}
