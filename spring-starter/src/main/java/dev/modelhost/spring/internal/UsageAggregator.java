package dev.modelhost.spring.internal;

import dev.modelhost.spi.UsageRecord;
import dev.modelhost.spi.UsageSink;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/** Token and request totals per caller (API key id) and service, since the server started. */
public final class UsageAggregator implements UsageSink {

  private record Key(String caller, String service) {}

  private static final class Totals {
    final LongAdder requests = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    final LongAdder promptTokens = new LongAdder();
    final LongAdder completionTokens = new LongAdder();
  }

  /** Totals of one caller on one service. */
  public record Usage(
      String caller, String service, long requests, long failed, long cancelled, long promptTokens,
      long completionTokens) {

    public String owner() {
      int slash = service.indexOf('/');
      return slash < 0 ? service : service.substring(0, slash);
    }
  }

  private final ConcurrentMap<Key, Totals> totals = new ConcurrentHashMap<>();

  @Override
  public void record(UsageRecord record) {
    Totals t = totals.computeIfAbsent(new Key(record.caller(), record.service()), k -> new Totals());
    t.requests.increment();
    switch (record.outcome()) {
      case FAILED -> t.failed.increment();
      case CANCELLED -> t.cancelled.increment();
      case COMPLETED -> { }
    }
    t.promptTokens.add(record.promptTokens());
    t.completionTokens.add(record.completionTokens());
  }

  /** Totals, optionally only of services of {@code owner} and of one {@code service}. */
  public List<Usage> usage(@Nullable String owner, @Nullable String service) {
    return totals.entrySet().stream()
        .map(e -> new Usage(e.getKey().caller(), e.getKey().service(), e.getValue().requests.sum(),
            e.getValue().failed.sum(), e.getValue().cancelled.sum(), e.getValue().promptTokens.sum(),
            e.getValue().completionTokens.sum()))
        .filter(u -> owner == null || u.owner().equals(owner))
        .filter(u -> service == null || u.service().equals(service))
        .sorted(Comparator.comparing(Usage::service).thenComparing(Usage::caller))
        .toList();
  }
}
