package dev.modelhost.internal;

import dev.modelhost.Caller;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.PassThroughCapable;
import dev.modelhost.spi.PassThroughCapable.Endpoint;
import dev.modelhost.spi.Replica;
import dev.modelhost.spi.UsageRecord;
import dev.modelhost.spi.UsageSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One relayed request (embeddings, image generation) from admission to its end. It takes a
 * replica's place in the pool like a generation, so that capacity, queue and deadline apply to
 * it too, but the runtime answers it; it writes exactly one usage record, however it ends.
 */
final class PassThroughCall implements ReplicaPool.Task {

  private final @Nullable PassThroughCapable runtime;
  private final Endpoint endpoint;
  private final JsonNode body;
  private final String service;
  private final Caller caller;
  private final Cancellation cancellation;
  private final UsageSink usageSink;
  private final String id = ResponseAssembler.newId("pt-");
  private final long arrivalNanos = System.nanoTime();
  private final Instant arrival;
  private final CompletableFuture<JsonNode> result = new CompletableFuture<>();
  private final AtomicBoolean recorded = new AtomicBoolean();
  private volatile long startNanos = -1;
  private volatile long answerNanos = -1;
  private volatile @Nullable JsonNode answer;

  /** @param runtime null only for a call that the service refused before its runtime was known */
  PassThroughCall(@Nullable PassThroughCapable runtime, Endpoint endpoint, JsonNode body, String service, Caller caller,
      Cancellation cancellation, UsageSink usageSink, Clock clock) {
    this.runtime = runtime;
    this.endpoint = endpoint;
    this.body = body;
    this.service = service;
    this.caller = caller;
    this.cancellation = cancellation;
    this.usageSink = usageSink;
    this.arrival = clock.instant();
  }

  /** Records a call that the service refused before it had a runtime to relay it to. */
  static void refused(Endpoint endpoint, JsonNode body, String service, Caller caller, UsageSink usageSink,
      Clock clock, ModelhostException error) {
    new PassThroughCall(null, endpoint, body, service, caller, new Cancellation(), usageSink, clock).rejected(error);
  }

  long arrivalNanos() {
    return arrivalNanos;
  }

  /** Waits for the answer; an interrupt cancels the request. */
  JsonNode await() {
    return Exchange.await(result, cancellation);
  }

  @Override
  public Cancellation cancellation() {
    return cancellation;
  }

  @Override
  public void started() {
    startNanos = System.nanoTime();
  }

  /** The runtime relays the call through the replica whose capacity it holds. */
  @Override
  public void run(Replica replica) {
    cancellation.throwIfCancelled();
    JsonNode whole = Objects.requireNonNull(runtime).passThrough(endpoint, body, replica, cancellation);
    if (whole == null) {
      throw new BackendException("The backend of `" + service + "` returned no answer.", null);
    }
    answer = whole;
    answerNanos = System.nanoTime();
  }

  @Override
  public void succeeded() {
    JsonNode whole = Objects.requireNonNull(answer);
    record(UsageRecord.Outcome.COMPLETED, null, whole);
    result.complete(whole);
  }

  @Override
  public void failed(ModelhostException error) {
    record(error instanceof RequestCancelledException ? UsageRecord.Outcome.CANCELLED : UsageRecord.Outcome.FAILED,
        error, null);
    result.completeExceptionally(error);
  }

  /** The service refused the request before queueing it. */
  void rejected(ModelhostException error) {
    record(UsageRecord.Outcome.FAILED, error, null);
  }

  private void record(UsageRecord.Outcome outcome, @Nullable ModelhostException error, @Nullable JsonNode whole) {
    if (!recorded.compareAndSet(false, true)) {
      return;
    }
    long now = System.nanoTime();
    long start = startNanos;
    long answered = answerNanos;
    JsonNode usage = whole == null ? null : whole.get("usage");
    Integer reported = usage == null ? null : count(usage, "prompt_tokens", "input_tokens");
    Integer output = usage == null ? null : count(usage, "output_tokens");
    Exchange.deliver(usageSink, new UsageRecord(
        id,
        service,
        caller.id(),
        endpoint == Endpoint.EMBEDDINGS ? "embeddings" : "images.generations",
        outcome,
        reported != null ? reported : estimatePromptTokens(),
        output != null ? output : 0,
        null,
        Exchange.errorCode(error),
        reported == null,
        arrival,
        Duration.ofNanos((start < 0 ? now : start) - arrivalNanos),
        answered < 0 ? null : Duration.ofNanos(answered - arrivalNanos),
        Duration.ofNanos(now - arrivalNanos)));
  }

  /** The first of {@code names} that the usage object holds as a non-negative integer. */
  private static @Nullable Integer count(JsonNode usage, String... names) {
    for (String name : names) {
      JsonNode value = usage.get(name);
      if (value != null && value.canConvertToInt() && value.isIntegralNumber() && value.asInt() >= 0) {
        return value.asInt();
      }
    }
    return null;
  }

  /**
   * Four characters a token, as for generations, over the texts of {@code input} (embeddings) or
   * {@code prompt} (images); a token array counts its tokens.
   */
  private int estimatePromptTokens() {
    JsonNode input = body.get(endpoint == Endpoint.EMBEDDINGS ? "input" : "prompt");
    int[] counts = new int[2];
    if (input != null) {
      measure(input, counts);
    }
    return (counts[0] + 3) / 4 + counts[1];
  }

  private static void measure(JsonNode node, int[] counts) {
    if (node.isString()) {
      counts[0] += node.asString().length();
    } else if (node.isIntegralNumber()) {
      counts[1]++;
    } else if (node.isArray()) {
      node.forEach(element -> measure(element, counts));
    }
  }
}
