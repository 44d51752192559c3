package dev.modelhost.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.BillingMethod;
import dev.modelhost.exception.OverloadedException;
import dev.modelhost.spi.UsageRecord;
import dev.modelhost.spring.internal.store.InMemoryUsageLedger;
import dev.modelhost.spring.store.LedgerRecord;
import dev.modelhost.spring.store.UsageLedger;
import dev.modelhost.spring.store.UsageQuery;
import dev.modelhost.spring.store.UsageTotal;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Status;

class LedgerWriterTest {

  private final InMemoryUsageLedger ledger = new InMemoryUsageLedger();
  private final OutageLedger outage = new OutageLedger(ledger);

  @Test
  void buffersThroughAnOutageThenRefusesNewRequestsAndCatchesUpOnce() throws Exception {
    LedgerWriter writer = new LedgerWriter(outage, path -> new ServiceCatalog.Booking("svc-1",
        BillingMethod.perToken(BigDecimal.ONE, BigDecimal.TEN, "EUR")), 3, 2, Duration.ofSeconds(5));
    LedgerHealthIndicator health = new LedgerHealthIndicator(writer, 3);
    outage.down = true;

    writer.record(usage("r1"));
    writer.record(usage("r2"));
    writer.checkAccepting();
    writer.record(usage("r3"));

    assertThatThrownBy(writer::checkAccepting).isInstanceOf(OverloadedException.class)
        .satisfies(e -> assertThat(((OverloadedException) e).httpStatus()).isEqualTo(503));
    assertThat(health.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
    assertThat(writer.awaitWritten("r1", Duration.ofMillis(200))).isFalse();

    outage.down = false;
    assertThat(writer.awaitWritten(Duration.ofSeconds(10))).isTrue();
    writer.checkAccepting();
    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    assertThat(writer.failures()).isPositive();
    writer.close();

    List<LedgerRecord> records = ledger.records(UsageQuery.ALL, null, 10);
    assertThat(records).extracting(LedgerRecord::requestId).containsExactly("r1", "r2", "r3");
    // 3 prompt tokens at 1 and 5 completion tokens at 10 per million.
    assertThat(records.get(0).cost()).isEqualByComparingTo("0.000053");
    assertThat(records.get(0).currency()).isEqualTo("EUR");
    assertThat(records.get(0).serviceInstanceId()).isEqualTo("svc-1");
    assertThat(records.get(0).endedAt()).isEqualTo(Instant.parse("2030-01-01T00:00:02Z"));
  }

  @Test
  void writesWhatIsQueuedWhenClosed() throws Exception {
    LedgerWriter writer = new LedgerWriter(ledger, path -> new ServiceCatalog.Booking("svc-1", BillingMethod.free()),
        100, 10, Duration.ofSeconds(10));
    for (int i = 0; i < 50; i++) {
      writer.record(usage("q" + i));
    }

    writer.close();

    assertThat(ledger.records(UsageQuery.ALL, null, 100)).hasSize(50);
    assertThatThrownBy(writer::checkAccepting).isInstanceOf(OverloadedException.class);
  }

  @Test
  void aResponseWaitingThroughAnOutageGetsItsRecordCommittedOnceTheLedgerRecovers() throws Exception {
    LedgerWriter writer = new LedgerWriter(outage, path -> new ServiceCatalog.Booking("svc-1", BillingMethod.free()),
        100, 10, Duration.ofSeconds(10));
    outage.down = true;
    writer.record(usage("during-outage"));
    assertThat(writer.awaitWritten("during-outage", Duration.ofMillis(200))).isFalse();

    outage.down = false;

    assertThat(writer.awaitWritten("during-outage", Duration.ofSeconds(10))).isTrue();
    assertThat(ledger.records(UsageQuery.ALL, null, 10)).extracting(LedgerRecord::requestId)
        .containsExactly("during-outage");
    writer.close();
  }

  @Test
  void withAJournalAResponseNeedNotWaitForTheDatabaseAndItsRecordSurvivesARestart(@TempDir Path journalDir)
      throws Exception {
    LedgerWriter writer = new LedgerWriter(outage, path -> new ServiceCatalog.Booking("svc-1", BillingMethod.free()),
        100, 10, Duration.ofMillis(300), UsageJournal.open(journalDir, 1 << 20), LedgerWriter.DEFAULT_LINGER);
    writer.record(usage("before-outage"));
    assertThat(writer.awaitWritten(Duration.ofSeconds(10))).isTrue();
    outage.down = true;

    writer.record(usage("during-outage-1"));
    writer.record(usage("during-outage-2"));

    // Kept in the journal: acknowledged at once although the database refuses every write.
    assertThat(writer.awaitWritten("during-outage-1", Duration.ZERO)).isTrue();
    writer.close();
    assertThat(ledger.records(UsageQuery.ALL, null, 10)).extracting(LedgerRecord::requestId)
        .containsExactly("before-outage");

    outage.down = false;
    // The next start finds both records and writes them once; a record already on the ledger is not doubled.
    ledger.append(List.of(journalRecord("during-outage-1")));
    LedgerWriter restarted = new LedgerWriter(outage, path -> new ServiceCatalog.Booking("svc-1", BillingMethod.free()),
        100, 10, Duration.ofSeconds(10), UsageJournal.open(journalDir, 1 << 20), LedgerWriter.DEFAULT_LINGER);
    assertThat(restarted.awaitWritten(Duration.ofSeconds(10))).isTrue();
    restarted.close();

    assertThat(ledger.records(UsageQuery.ALL, null, 10)).extracting(LedgerRecord::requestId)
        .containsExactly("before-outage", "during-outage-1", "during-outage-2");
    try (UsageJournal emptied = UsageJournal.open(journalDir, 1 << 20)) {
      assertThat(emptied.recovered()).isEmpty();
    }
  }

  @Test
  void journaledRecordsAreGatheredIntoOneCommitAndAReaderDoesNotWaitForTheGathering(@TempDir Path journalDir)
      throws Exception {
    LedgerWriter writer = new LedgerWriter(outage, path -> new ServiceCatalog.Booking("svc-1", BillingMethod.free()),
        100, 10, Duration.ofSeconds(10), UsageJournal.open(journalDir, 1 << 20), Duration.ofSeconds(30));
    writer.record(usage("gathered-0"));
    Thread.sleep(200);
    for (int i = 1; i < 5; i++) {
      writer.record(usage("gathered-" + i));
    }
    assertThat(writer.awaitWritten("gathered-4", Duration.ZERO)).isTrue();
    assertThat(ledger.records(UsageQuery.ALL, null, 10)).isEmpty();
    long start = System.nanoTime();

    assertThat(writer.awaitWritten(Duration.ofSeconds(20))).isTrue();

    // The reader ended the 30 s of gathering: all five records went in one commit.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    assertThat(outage.appends).isEqualTo(1);
    assertThat(ledger.records(UsageQuery.ALL, null, 10)).hasSize(5);
    writer.close();
  }

  private static LedgerRecord journalRecord(String id) {
    return new LedgerRecord(id, "key-1", "acme", "acme/chat", "svc-1", "chat.completions", "stop", 3, 5, false,
        Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2030-01-01T00:00:02Z"), BigDecimal.ZERO, "USD");
  }

  private static UsageRecord usage(String id) {
    return new UsageRecord(id, "acme/chat", "key-1", "chat.completions", UsageRecord.Outcome.COMPLETED, 3, 5, "stop",
        null, false, Instant.parse("2030-01-01T00:00:00Z"), Duration.ZERO, Duration.ofMillis(5), Duration.ofSeconds(2));
  }

  /** The in-memory ledger behind a switch that makes every write fail, as a database outage does. */
  private static final class OutageLedger implements UsageLedger {
    private final UsageLedger ledger;
    volatile boolean down;
    volatile int appends;

    OutageLedger(UsageLedger ledger) {
      this.ledger = ledger;
    }

    @Override
    public int append(List<LedgerRecord> records) {
      appends++;
      if (down) {
        throw new IllegalStateException("connection refused");
      }
      return ledger.append(records);
    }

    @Override
    public List<UsageTotal> totals(UsageQuery query, Set<GroupBy> groupBy) {
      return ledger.totals(query, groupBy);
    }

    @Override
    public List<LedgerRecord> records(UsageQuery query, @Nullable String after, int limit) {
      return ledger.records(query, after, limit);
    }
  }
}
