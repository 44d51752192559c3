package dev.modelhost.spring.internal.store;

import dev.modelhost.spring.store.LedgerRecord;
import dev.modelhost.spring.store.UsageLedger;
import dev.modelhost.spring.store.UsageQuery;
import dev.modelhost.spring.store.UsageTotal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The usage ledger in memory only: for embedded use and tests. */
public final class InMemoryUsageLedger implements UsageLedger {

  private final List<LedgerRecord> records = new ArrayList<>();
  private final Set<String> requestIds = new HashSet<>();

  @Override
  public synchronized int append(List<LedgerRecord> batch) {
    int added = 0;
    for (LedgerRecord record : batch) {
      if (requestIds.add(record.requestId())) {
        records.add(record);
        added++;
      }
    }
    return added;
  }

  @Override
  public synchronized List<UsageTotal> totals(UsageQuery query, Set<GroupBy> groupBy) {
    return UsageTotals.of(records.stream().filter(query::matches).toList(), groupBy);
  }

  @Override
  public synchronized List<LedgerRecord> records(UsageQuery query, @Nullable String after, int limit) {
    int start = 0;
    if (after != null) {
      for (int i = 0; i < records.size(); i++) {
        if (records.get(i).requestId().equals(after)) {
          start = i + 1;
          break;
        }
      }
    }
    List<LedgerRecord> page = new ArrayList<>();
    for (int i = start; i < records.size() && page.size() < limit; i++) {
      if (query.matches(records.get(i))) {
        page.add(records.get(i));
      }
    }
    return page;
  }
}
