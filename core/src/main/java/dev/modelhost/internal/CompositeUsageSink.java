package dev.modelhost.internal;

import dev.modelhost.spi.UsageRecord;
import dev.modelhost.spi.UsageSink;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Hands each record to every sink; one failing sink neither fails the request nor starves the others. */
public final class CompositeUsageSink implements UsageSink {

  private static final Logger log = LoggerFactory.getLogger(CompositeUsageSink.class);

  private final List<UsageSink> sinks;

  public CompositeUsageSink(List<UsageSink> sinks) {
    this.sinks = List.copyOf(sinks);
  }

  @Override
  public void record(UsageRecord record) {
    for (UsageSink sink : sinks) {
      try {
        sink.record(record);
      } catch (RuntimeException e) {
        log.warn("Usage sink {} failed on request {}", sink.getClass().getName(), record.requestId(), e);
      }
    }
  }
}
