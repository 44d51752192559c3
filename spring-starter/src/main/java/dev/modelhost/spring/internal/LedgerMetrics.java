package dev.modelhost.spring.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** Micrometer meters of the usage ledger: records waiting, written and failed writes. */
public final class LedgerMetrics {

  private LedgerMetrics() {}

  public static void register(MeterRegistry registry, LedgerWriter writer) {
    Gauge.builder("modelhost.ledger.pending", writer, LedgerWriter::pending)
        .description("Usage records waiting to be written to the database")
        .register(registry);
    FunctionCounter.builder("modelhost.ledger.written", writer, LedgerWriter::written)
        .description("Usage records written to the database")
        .register(registry);
    FunctionCounter.builder("modelhost.ledger.failures", writer, LedgerWriter::failures)
        .description("Failed attempts to write a batch of usage records")
        .register(registry);
  }
}
