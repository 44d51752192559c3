package dev.modelhost;

import dev.modelhost.internal.CompositeUsageSink;
import dev.modelhost.internal.DefaultModelHost;
import dev.modelhost.internal.HostSettings;
import dev.modelhost.spi.BackendProvider;
import dev.modelhost.spi.ModelFetcher;
import dev.modelhost.spi.UsageSink;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Configures an in-process {@link ModelHost}. Every setting has a default, so
 * {@code ModelHost.builder().build()} is a working host that discovers its backends on the class path.
 */
public final class ModelHostBuilder {

  public static final Duration DEFAULT_RESTART_BACKOFF = Duration.ofSeconds(1);
  public static final Duration DEFAULT_MAX_RESTART_BACKOFF = Duration.ofMinutes(1);
  public static final int DEFAULT_MAX_REPLICA_RESTARTS = 5;
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

  private final List<BackendProvider> backends = new ArrayList<>();
  private final List<ModelFetcher> fetchers = new ArrayList<>();
  private final List<UsageSink> usageSinks = new ArrayList<>();
  private Clock clock = Clock.systemUTC();
  private ClassLoader classLoader = Thread.currentThread().getContextClassLoader() != null
      ? Thread.currentThread().getContextClassLoader()
      : ModelHostBuilder.class.getClassLoader();
  private Duration restartBackoff = DEFAULT_RESTART_BACKOFF;
  private Duration maxRestartBackoff = DEFAULT_MAX_RESTART_BACKOFF;
  private int maxReplicaRestarts = DEFAULT_MAX_REPLICA_RESTARTS;
  private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;

  ModelHostBuilder() {}

  /**
   * Receives one usage record per request that reached a service, instead of the sinks set so far.
   * Default: records are dropped.
   */
  public ModelHostBuilder usageSink(UsageSink usageSink) {
    Objects.requireNonNull(usageSink, "usageSink");
    usageSinks.clear();
    usageSinks.add(usageSink);
    return this;
  }

  /**
   * Adds a sink next to those set so far. Every record goes to each sink in the order added; a
   * failing sink is logged and does not keep the record from the others.
   */
  public ModelHostBuilder addUsageSink(UsageSink usageSink) {
    usageSinks.add(Objects.requireNonNull(usageSink, "usageSink"));
    return this;
  }

  /**
   * Adds a backend explicitly. Explicit backends win over discovered ones of the same name;
   * discovery still supplies the names not added here.
   */
  public ModelHostBuilder backend(BackendProvider backend) {
    backends.add(Objects.requireNonNull(backend, "backend"));
    return this;
  }

  /**
   * Adds a fetcher for model ids (such as {@code hf:ORG/NAME}) given as a service's location.
   * Explicit fetchers are asked first, in the order added; discovery supplies the others.
   */
  public ModelHostBuilder fetcher(ModelFetcher fetcher) {
    fetchers.add(Objects.requireNonNull(fetcher, "fetcher"));
    return this;
  }

  /** The class loader backends and fetchers are discovered with. Default: the thread's context class loader. */
  public ModelHostBuilder classLoader(ClassLoader classLoader) {
    this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
    return this;
  }

  /** The clock for {@code created} timestamps and usage start times. Durations use a monotonic timer. */
  public ModelHostBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * How long to wait before replacing a failed replica: {@code initial}, doubled after each failure
   * in a row, at most {@code max}.
   */
  public ModelHostBuilder replicaRestartBackoff(Duration initial, Duration max) {
    if (initial.isNegative() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("need 0 <= initial <= max, got " + initial + " and " + max);
    }
    this.restartBackoff = initial;
    this.maxRestartBackoff = max;
    return this;
  }

  /** How many times in a row a replica is replaced before it is given up. */
  public ModelHostBuilder maxReplicaRestarts(int maxReplicaRestarts) {
    if (maxReplicaRestarts < 0) {
      throw new IllegalArgumentException("maxReplicaRestarts must be >= 0, got " + maxReplicaRestarts);
    }
    this.maxReplicaRestarts = maxReplicaRestarts;
    return this;
  }

  /** How long {@link ModelHost#close()} lets requests in flight finish before cancelling them. */
  public ModelHostBuilder shutdownGrace(Duration shutdownGrace) {
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("shutdownGrace must not be negative");
    }
    this.shutdownGrace = shutdownGrace;
    return this;
  }

  public ModelHost build() {
    return new DefaultModelHost(new HostSettings(
        List.copyOf(backends), List.copyOf(fetchers), classLoader, usageSink(), clock, restartBackoff, maxRestartBackoff,
        maxReplicaRestarts, shutdownGrace));
  }

  private UsageSink usageSink() {
    return switch (usageSinks.size()) {
      case 0 -> record -> {};
      case 1 -> usageSinks.get(0);
      default -> new CompositeUsageSink(usageSinks);
    };
  }
}
