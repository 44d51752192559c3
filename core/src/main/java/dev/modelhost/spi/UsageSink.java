package dev.modelhost.spi;

/**
 * Receives exactly one {@link UsageRecord} for every request that finished, failed or was
 * cancelled. Called on the request's thread: implementations must be fast and must not throw.
 */
@FunctionalInterface
public interface UsageSink {

  void record(UsageRecord record);
}
