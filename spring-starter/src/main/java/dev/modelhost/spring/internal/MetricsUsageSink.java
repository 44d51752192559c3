package dev.modelhost.spring.internal;

import dev.modelhost.ModelHost;
import dev.modelhost.ModelService;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.spi.UsageRecord;
import dev.modelhost.spi.UsageSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Micrometer meters per service, fed by usage records: requests by outcome, errors by type, tokens,
 * queue time, time to first token and time per output token; plus gauges of each service's
 * replicas and of its HTTP requests in flight, registered when the service is first seen.
 */
public final class MetricsUsageSink implements UsageSink {

  private final MeterRegistry registry;
  private final ObjectProvider<ModelHost> host;
  private final ActiveRequests active;
  private final Set<String> gauged = ConcurrentHashMap.newKeySet();

  public MetricsUsageSink(MeterRegistry registry, ObjectProvider<ModelHost> host, ActiveRequests active) {
    this.registry = registry;
    this.host = host;
    this.active = active;
  }

  @Override
  public void record(UsageRecord record) {
    String service = record.service();
    watch(service);
    String outcome = record.outcome().name().toLowerCase(Locale.ROOT);
    Counter.builder("modelhost.requests")
        .description("Requests that finished, failed or were cancelled")
        .tags("service", service, "endpoint", record.endpoint(), "outcome", outcome)
        .register(registry)
        .increment();
    if (record.outcome() == UsageRecord.Outcome.FAILED) {
      Counter.builder("modelhost.errors")
          .description("Failed requests by error type")
          .tags("service", service, "type", record.errorCode() == null ? "unknown" : record.errorCode())
          .register(registry)
          .increment();
    }
    tokens(service, "prompt", record.promptTokens());
    tokens(service, "completion", record.completionTokens());
    timer("modelhost.queue.time", "Time waiting for a free replica", service).record(record.queueTime());
    timer("modelhost.request.duration", "Time from arrival to the end", service).record(record.totalTime());
    Duration firstToken = record.timeToFirstToken();
    if (firstToken != null) {
      timer("modelhost.time.to.first.token", "Time from arrival to the first output token", service)
          .record(firstToken);
      if (record.completionTokens() > 1) {
        Duration decoding = record.totalTime().minus(firstToken);
        timer("modelhost.time.per.output.token", "Mean time per output token after the first", service)
            .record(decoding.dividedBy(record.completionTokens() - 1));
      }
    }
  }

  /** Registers the replica gauges of a service once. */
  public void watch(String service) {
    if (!gauged.add(service)) {
      return;
    }
    gauge("modelhost.replicas", "Desired replicas", service, ModelService::replicas);
    gauge("modelhost.replicas.ready", "Replicas serving now", service, ModelService::readyReplicas);
    Gauge.builder("modelhost.requests.active", active, requests -> requests.count(service))
        .description("HTTP requests in flight: waiting for a replica or being answered")
        .tag("service", service)
        .register(registry);
  }

  private void gauge(String name, String description, String service, ToDoubleFunction<ModelService> value) {
    Gauge.builder(name, host, provider -> {
          try {
            return value.applyAsDouble(provider.getObject().describe(service));
          } catch (NotFoundException deleted) {
            return 0;
          }
        })
        .description(description)
        .tag("service", service)
        .register(registry);
  }

  private void tokens(String service, String kind, int count) {
    Counter.builder("modelhost.tokens")
        .description("Tokens processed")
        .tags("service", service, "kind", kind)
        .register(registry)
        .increment(count);
  }

  private Timer timer(String name, String description, String service) {
    return Timer.builder(name).description(description).tag("service", service).register(registry);
  }
}
