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
 * replicas (desired, ready, busy), requests running on them and queue depth, read from the host's
 * description of the service. The gauges are registered when the service is deployed through the
 * configuration or the management API, or else when its first request ends.
 */
public final class MetricsUsageSink implements UsageSink {

  private final MeterRegistry registry;
  private final ObjectProvider<ModelHost> host;
  private final Set<String> gauged = ConcurrentHashMap.newKeySet();

  public MetricsUsageSink(MeterRegistry registry, ObjectProvider<ModelHost> host) {
    this.registry = registry;
    this.host = host;
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

  /** Registers the gauges of a service once; a deleted service reads 0 until one of its name is deployed again. */
  public void watch(String service) {
    if (!gauged.add(service)) {
      return;
    }
    gauge("modelhost.replicas", "Desired replicas", service, ModelService::replicas);
    gauge("modelhost.replicas.ready", "Replicas serving now", service, ModelService::readyReplicas);
    gauge("modelhost.replicas.busy", "Replicas running at least one request", service, ModelService::busyReplicas);
    gauge("modelhost.requests.in.flight", "Requests running on a replica", service, ModelService::inFlightRequests);
    gauge("modelhost.queue.depth", "Requests waiting for a free replica", service, ModelService::queuedRequests);
    gauge("modelhost.pull.bytes", "Bytes of the model downloaded so far while the service is creating", service,
        s -> s.pullProgress() == null ? 0 : s.pullProgress().bytesDone());
    gauge("modelhost.pull.bytes.total", "Bytes of the model to download while the service is creating", service,
        s -> s.pullProgress() == null ? 0 : s.pullProgress().bytesTotal());
  }

  /** Registers the gauges of every service the host has now. */
  public void watchAll() {
    host.getObject().services().forEach(service -> watch(service.accessPath()));
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
