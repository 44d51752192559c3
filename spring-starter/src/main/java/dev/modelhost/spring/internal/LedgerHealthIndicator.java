package dev.modelhost.spring.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of the usage ledger: {@code UP} while records are written (details say {@code buffering}
 * while the database fails and records wait in memory), {@code OUT_OF_SERVICE} once the buffer is
 * full and new requests are refused.
 */
public final class LedgerHealthIndicator implements HealthIndicator {

  private final LedgerWriter writer;
  private final int bufferCapacity;

  public LedgerHealthIndicator(LedgerWriter writer, int bufferCapacity) {
    this.writer = writer;
    this.bufferCapacity = bufferCapacity;
  }

  @Override
  public Health health() {
    String lastError = writer.lastError();
    int pending = writer.pending();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("state", pending >= bufferCapacity ? "refusing" : lastError != null ? "buffering" : "writing");
    details.put("pending", pending);
    details.put("bufferCapacity", bufferCapacity);
    details.put("written", writer.written());
    details.put("failures", writer.failures());
    if (lastError != null) {
      details.put("lastError", lastError);
    }
    return Health.status(pending >= bufferCapacity ? Status.OUT_OF_SERVICE : Status.UP).withDetails(details).build();
  }
}
