package dev.modelhost.spring.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.modelhost.BillingMethod;
import dev.modelhost.spi.UsageRecord;
import dev.modelhost.spring.internal.store.JdbcStore;
import dev.modelhost.spring.internal.store.TestDatabases;
import dev.modelhost.spring.store.UsageLedger;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * What a response pays for its usage record before it is sent: {@link LedgerWriter#record} and
 * {@link LedgerWriter#awaitWritten(String, Duration)} on the JDBC ledger in H2 file mode (the
 * server's default store), with the usage journal (the server's default: the record is kept once
 * it is in the journal) and without it (kept once committed), interleaved, one request at a time
 * with a pause between them as a lone client's requests have. Prints p50 and p90 in microseconds.
 * Not a test; run it with {@code ./mvnw -q -pl spring-starter -am -Pledger-ack-bench
 * process-test-classes -Dbench.args="1500"} (requests; the first fifth warm up).
 */
public final class LedgerAckBenchmark {

  private LedgerAckBenchmark() {}

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 1500;
    Path dir = Files.createTempDirectory("modelhost-ledger-ack");
    double[] committed = new double[requests];
    double[] journaled = new double[requests];
    try (HikariDataSource dataSource = TestDatabases.dataSource(TestDatabases.url(TestDatabases.Kind.H2, dir))) {
      UsageLedger ledger = new JdbcStore(dataSource).ledger();
      Function<String, ServiceCatalog.Booking> bookings = path -> new ServiceCatalog.Booking("svc-bench", BillingMethod.free());
      LedgerWriter withoutJournal = new LedgerWriter(ledger, bookings, 1000, 500, Duration.ofSeconds(5));
      LedgerWriter withJournal = new LedgerWriter(ledger, bookings, 1000, 500, Duration.ofSeconds(5),
          UsageJournal.open(dir.resolve("usage-journal"), 4L << 20), LedgerWriter.DEFAULT_LINGER);
      for (int i = 0; i < requests; i++) {
        committed[i] = acknowledge(withoutJournal, "commit-" + i);
        journaled[i] = acknowledge(withJournal, "journal-" + i);
      }
      withoutJournal.close();
      withJournal.close();
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
    System.out.printf(Locale.ROOT, "record + awaitWritten on H2, %d requests, load average %.1f:%n  committed: %s%n"
        + "  journaled: %s%n", requests - requests / 5, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        percentiles(committed, requests / 5), percentiles(journaled, requests / 5));
  }

  /** Microseconds from queuing {@code id}'s record to its acknowledgement, after which the caller pauses 2 ms. */
  private static double acknowledge(LedgerWriter writer, String id) throws InterruptedException {
    long start = System.nanoTime();
    writer.record(new UsageRecord(id, "bench/small", "key-1", "completions", UsageRecord.Outcome.COMPLETED, 4, 1,
        "length", null, false, Instant.now(), Duration.ZERO, Duration.ofMillis(5), Duration.ofMillis(5)));
    if (!writer.awaitWritten(id, Duration.ofSeconds(2))) {
      throw new IllegalStateException("The record of " + id + " was not kept within 2 s");
    }
    double micros = (System.nanoTime() - start) / 1e3;
    Thread.sleep(2);
    return micros;
  }

  private static String percentiles(double[] micros, int warmup) {
    double[] measured = Arrays.copyOfRange(micros, warmup, micros.length);
    Arrays.sort(measured);
    return String.format(Locale.ROOT, "p50 %.0f us, p90 %.0f us", measured[measured.length / 2],
        measured[(int) (measured.length * 0.9)]);
  }
}
