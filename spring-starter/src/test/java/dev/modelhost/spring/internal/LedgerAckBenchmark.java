package dev.modelhost.spring.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.modelhost.BillingMethod;
import dev.modelhost.spi.UsageRecord;
import dev.modelhost.spring.internal.store.JdbcStore;
import dev.modelhost.spring.internal.store.TestDatabases;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What a response pays for its usage record before it is sent: {@link LedgerWriter#record} and
 * {@link LedgerWriter#awaitWritten(String, Duration)} on the JDBC ledger in H2 file mode (the
 * server's default store), one request at a time with a pause between them as a lone client's
 * requests have. Prints p50 and p90 in microseconds. Not a test; run it with
 * {@code ./mvnw -q -pl spring-starter -am -Pledger-ack-bench process-test-classes
 * -Dbench.args="1500"} (requests; the first fifth warm up).
 */
public final class LedgerAckBenchmark {

  private LedgerAckBenchmark() {}

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 1500;
    Path dir = Files.createTempDirectory("modelhost-ledger-ack");
    double[] micros = new double[requests];
    try (HikariDataSource dataSource = TestDatabases.dataSource(TestDatabases.url(TestDatabases.Kind.H2, dir))) {
      LedgerWriter writer = new LedgerWriter(new JdbcStore(dataSource).ledger(),
          path -> new ServiceCatalog.Booking("svc-bench", BillingMethod.free()), 1000, 500, Duration.ofSeconds(5));
      for (int i = 0; i < requests; i++) {
        String id = "req-" + i;
        long start = System.nanoTime();
        writer.record(new UsageRecord(id, "bench/small", "key-1", "completions", UsageRecord.Outcome.COMPLETED, 4, 1,
            "length", null, false, Instant.now(), Duration.ZERO, Duration.ofMillis(5), Duration.ofMillis(5)));
        if (!writer.awaitWritten(id, Duration.ofSeconds(2))) {
          throw new IllegalStateException("The record of " + id + " was not committed within 2 s");
        }
        micros[i] = (System.nanoTime() - start) / 1e3;
        Thread.sleep(2);
      }
      writer.close();
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
    double[] measured = Arrays.copyOfRange(micros, requests / 5, requests);
    Arrays.sort(measured);
    System.out.printf(Locale.ROOT, "record + awaitWritten on H2, %d requests: p50 %.0f us, p90 %.0f us, load average %.1f%n",
        measured.length, measured[measured.length / 2], measured[(int) (measured.length * 0.9)],
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }
}
