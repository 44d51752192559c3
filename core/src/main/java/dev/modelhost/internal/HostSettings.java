package dev.modelhost.internal;

import dev.modelhost.spi.BackendProvider;
import dev.modelhost.spi.ModelFetcher;
import dev.modelhost.spi.UsageSink;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** The settings of a host, as given to {@link dev.modelhost.ModelHostBuilder}. */
public record HostSettings(
    List<BackendProvider> backends,
    List<ModelFetcher> fetchers,
    ClassLoader classLoader,
    UsageSink usageSink,
    Clock clock,
    Duration restartBackoff,
    Duration maxRestartBackoff,
    int maxReplicaRestarts,
    Duration shutdownGrace) {

  public HostSettings {
    backends = List.copyOf(backends);
    fetchers = List.copyOf(fetchers);
  }

  /** The wait before restart number {@code attempt} (1-based) of a replica. */
  Duration backoff(int attempt) {
    Duration delay = restartBackoff;
    for (int i = 1; i < attempt && delay.compareTo(maxRestartBackoff) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(maxRestartBackoff) > 0 ? maxRestartBackoff : delay;
  }
}
