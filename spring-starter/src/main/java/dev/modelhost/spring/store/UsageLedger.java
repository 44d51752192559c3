package dev.modelhost.spring.store;

import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The usage ledger: one record per request, kept for billing. Implementations are thread-safe. */
public interface UsageLedger {

  /** What {@link #totals} can group by. */
  enum GroupBy {
    OWNER,
    KEY,
    SERVICE
  }

  /**
   * Adds the records in one transaction. A record whose request id is on the ledger already is
   * skipped, so a batch sent again after a failure that happened after its commit is not counted
   * twice.
   *
   * @return how many records were new
   */
  int append(List<LedgerRecord> records);

  /** Sums per group (and per currency), ordered by the group's dimensions. */
  List<UsageTotal> totals(UsageQuery query, Set<GroupBy> groupBy);

  /**
   * Records in the order they were added, at most {@code limit}, starting after the record with
   * request id {@code after} (null: from the first).
   */
  List<LedgerRecord> records(UsageQuery query, @Nullable String after, int limit);
}
