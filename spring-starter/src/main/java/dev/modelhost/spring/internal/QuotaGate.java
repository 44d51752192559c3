package dev.modelhost.spring.internal;

import dev.modelhost.exception.RateLimitedException;
import dev.modelhost.spring.ApiKey;
import dev.modelhost.spring.KeyQuota;
import dev.modelhost.spring.store.LedgerRecord;
import dev.modelhost.spring.store.UsageLedger;
import dev.modelhost.spring.store.UsageQuery;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Admits requests against their key's {@link KeyQuota}. A request reserves its worst case at
 * admission (its tokens at {@code max_tokens}, and their cost) and keeps the reservation until
 * both its ticket is closed and its usage record has arrived; then only its actual usage counts.
 * So concurrent requests cannot together overshoot a budget: each is admitted only if the spend
 * so far plus every open reservation plus its own fits. The budget's spend starts from the ledger
 * (this period's records of the key) the first time a key is seen in a period, and grows with the
 * records this server writes. A request that fits the budget only once the requests in flight
 * have settled gets 429 {@code rate_limit_exceeded} with {@code Retry-After: 1}; one that does not
 * fit what is left gets 429 {@code insufficient_quota} until the next period.
 */
public final class QuotaGate {

  private static final Duration MINUTE = Duration.ofMinutes(1);

  private final UsageLedger ledger;
  private final Clock clock;
  private final Map<String, KeyState> states = new ConcurrentHashMap<>();

  public QuotaGate(UsageLedger ledger, Clock clock) {
    this.ledger = ledger;
    this.clock = clock;
  }

  /**
   * Admits a request of {@code key} that may use up to {@code tokens} tokens costing up to
   * {@code cost}, or refuses it with 429 ({@code rate_limit_exceeded} or {@code insufficient_quota}).
   */
  public Ticket admit(ApiKey key, long tokens, BigDecimal cost) {
    KeyQuota quota = key.quota();
    if (!quota.limited()) {
      return new Ticket(null, 0, BigDecimal.ZERO);
    }
    KeyState state = states.computeIfAbsent(key.id(), id -> new KeyState());
    synchronized (state) {
      Instant now = clock.instant();
      state.expire(now);
      if (quota.concurrentRequests() != null && state.inFlight >= quota.concurrentRequests()) {
        throw new RateLimitedException("Rate limit reached: " + quota.concurrentRequests()
            + " concurrent requests for this API key.", Duration.ofSeconds(1));
      }
      if (quota.requestsPerMinute() != null && state.requests.size() >= quota.requestsPerMinute()) {
        throw new RateLimitedException("Rate limit reached: " + quota.requestsPerMinute()
            + " requests per minute for this API key.", retryAfter(state.requests.peekFirst(), now));
      }
      if (quota.tokensPerMinute() != null && state.tokensInWindow() + state.reservedTokens + tokens > quota.tokensPerMinute()) {
        throw new RateLimitedException("Rate limit reached: " + quota.tokensPerMinute()
            + " tokens per minute for this API key (this request may use " + tokens + ").",
            state.tokens.isEmpty() ? Duration.ofSeconds(1) : retryAfter(state.tokens.peekFirst().at(), now));
      }
      if (quota.budget() != null) {
        Instant periodStart = periodStart(quota.budgetPeriod(), now);
        if (!periodStart.equals(state.periodStart)) {
          state.periodStart = periodStart;
          state.spent = spentSince(key.id(), periodStart);
        }
        if (state.spent.add(cost).compareTo(quota.budget()) > 0) {
          throw new QuotaExceededException("You exceeded your current quota: this API key's budget of "
              + quota.budget().stripTrailingZeros().toPlainString() + " per " + quota.budgetPeriod()
              + " does not cover this request.", untilNextPeriod(quota.budgetPeriod(), now));
        }
        if (state.spent.add(state.reservedCost).add(cost).compareTo(quota.budget()) > 0) {
          // What is left may be enough once the requests in flight have settled their reservations.
          throw new RateLimitedException("Rate limit reached: the rest of this API key's budget is reserved by its"
              + " requests in flight; try again when they have finished.", Duration.ofSeconds(1));
        }
      }
      state.inFlight++;
      state.requests.addLast(now);
      state.reservedTokens += tokens;
      state.reservedCost = state.reservedCost.add(cost);
      return new Ticket(state, tokens, cost);
    }
  }

  /** Counts a record: its cost towards the budget, its tokens towards the minute; settles its ticket. */
  public void onRecord(LedgerRecord record) {
    KeyState state = states.get(record.keyId());
    if (state == null) {
      return;
    }
    Ticket waiting;
    synchronized (state) {
      if (state.periodStart != null && !record.endedAt().isBefore(state.periodStart)) {
        state.spent = state.spent.add(record.cost());
      }
      state.tokens.addLast(new Tokens(clock.instant(), record.promptTokens() + record.completionTokens()));
      waiting = state.awaitingRecord.remove(record.requestId());
      if (waiting == null) {
        state.recordedFirst.put(record.requestId(), clock.instant());
        state.pruneRecordedFirst(clock.instant());
      }
    }
    if (waiting != null) {
      waiting.release();
    }
  }

  private BigDecimal spentSince(String keyId, Instant from) {
    return ledger.totals(new UsageQuery(from, null, null, keyId, null), Set.of()).stream()
        .map(total -> total.cost())
        .reduce(BigDecimal.ZERO, BigDecimal::add);
  }

  private static Instant periodStart(String period, Instant now) {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    return switch (period) {
      case "day" -> today.atStartOfDay(ZoneOffset.UTC).toInstant();
      case "month" -> today.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
      default -> Instant.EPOCH;
    };
  }

  private static Duration untilNextPeriod(String period, Instant now) {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    Instant next = switch (period) {
      case "day" -> today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
      case "month" -> today.withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
      // A total budget does not renew: retrying helps only once it is raised.
      default -> now.plus(1, ChronoUnit.DAYS);
    };
    return Duration.between(now, next);
  }

  private static Duration retryAfter(@Nullable Instant oldest, Instant now) {
    if (oldest == null) {
      return Duration.ofSeconds(1);
    }
    Duration left = Duration.between(now, oldest.plus(MINUTE));
    return left.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : left;
  }

  private record Tokens(Instant at, long count) {}

  private static final class KeyState {
    int inFlight;
    final Deque<Instant> requests = new ArrayDeque<>();
    final Deque<Tokens> tokens = new ArrayDeque<>();
    long reservedTokens;
    BigDecimal reservedCost = BigDecimal.ZERO;
    @Nullable Instant periodStart;
    BigDecimal spent = BigDecimal.ZERO;
    final Map<String, Ticket> awaitingRecord = new ConcurrentHashMap<>();
    final LinkedHashMap<String, Instant> recordedFirst = new LinkedHashMap<>();

    void expire(Instant now) {
      Instant windowStart = now.minus(MINUTE);
      while (!requests.isEmpty() && requests.peekFirst().isBefore(windowStart)) {
        requests.removeFirst();
      }
      while (!tokens.isEmpty() && tokens.peekFirst().at().isBefore(windowStart)) {
        tokens.removeFirst();
      }
    }

    long tokensInWindow() {
      long sum = 0;
      for (Tokens entry : tokens) {
        sum += entry.count();
      }
      return sum;
    }

    /** Records whose ticket never closes (e.g. refused before a ticket knew its id) are forgotten after a minute. */
    void pruneRecordedFirst(Instant now) {
      Iterator<Map.Entry<String, Instant>> entries = recordedFirst.entrySet().iterator();
      while (entries.hasNext() && entries.next().getValue().isBefore(now.minus(MINUTE))) {
        entries.remove();
      }
    }
  }

  /** One admitted request; close it when the response is done. */
  public static final class Ticket implements AutoCloseable {

    private final @Nullable KeyState state;
    private final long tokens;
    private final BigDecimal cost;
    private @Nullable String requestId;
    private boolean released;

    private Ticket(@Nullable KeyState state, long tokens, BigDecimal cost) {
      this.state = state;
      this.tokens = tokens;
      this.cost = cost;
    }

    /** The id of the request's usage record, once known (the response id). */
    public void requestId(String id) {
      this.requestId = id;
    }

    /**
     * The response is done: the reservation is released now if the usage record has arrived (or
     * no record will name it), else when it arrives.
     */
    @Override
    public void close() {
      if (state == null) {
        return;
      }
      boolean releaseNow;
      synchronized (state) {
        state.inFlight--;
        if (requestId == null) {
          releaseNow = true;
        } else if (state.recordedFirst.remove(requestId) != null) {
          releaseNow = true;
        } else {
          state.awaitingRecord.put(requestId, this);
          releaseNow = false;
        }
      }
      if (releaseNow) {
        release();
      }
    }

    private void release() {
      if (state == null) {
        return;
      }
      synchronized (state) {
        if (released) {
          return;
        }
        released = true;
        state.reservedTokens -= tokens;
        state.reservedCost = state.reservedCost.subtract(cost);
      }
    }
  }
}
