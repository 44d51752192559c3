package dev.modelhost.internal;

import dev.modelhost.Caller;
import dev.modelhost.ResponseStream;
import dev.modelhost.api.Usage;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ChoiceDelta;
import dev.modelhost.spi.GenerationListener;
import dev.modelhost.spi.InferenceRequest;
import dev.modelhost.spi.Replica;
import dev.modelhost.spi.UsageRecord;
import dev.modelhost.spi.UsageSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request from admission to its end: listens to the replica, assembles the answer (whole or
 * streamed) and writes exactly one usage record, however the request ends.
 */
final class Exchange<Q, R, C> implements ReplicaPool.Task, GenerationListener {

  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  private final Protocol<Q, R, C> protocol;
  private final Q request;
  private final String service;
  private final Caller caller;
  private final UsageSink usageSink;
  private final long arrivalNanos = System.nanoTime();
  private final Instant arrival;
  private final Cancellation cancellation = new Cancellation();
  private final ResponseAssembler assembler;
  private final InferenceRequest inference;
  private final @Nullable StreamingResponse<C> stream;
  private final CompletableFuture<R> result = new CompletableFuture<>();
  private final AtomicBoolean recorded = new AtomicBoolean();
  private volatile long startNanos = -1;
  private volatile long firstOutputNanos = -1;
  private @Nullable Usage usage;
  private boolean usageEstimated;
  private int outputDeltas;

  Exchange(Protocol<Q, R, C> protocol, Q request, String service, Caller caller, boolean streaming,
      UsageSink usageSink, Clock clock) {
    this.protocol = protocol;
    this.request = request;
    this.service = service;
    this.caller = caller;
    this.usageSink = usageSink;
    this.arrival = clock.instant();
    this.assembler = protocol.assembler(arrival.getEpochSecond(), service, request);
    this.inference = protocol.inference(assembler.id(), request, cancellation);
    this.stream = streaming ? new StreamingResponse<>(assembler.id(), cancellation) : null;
  }

  long arrivalNanos() {
    return arrivalNanos;
  }

  ResponseStream<C> stream() {
    return Objects.requireNonNull(stream);
  }

  /** Waits for the whole answer; an interrupt cancels the request. */
  R await() {
    return await(result, cancellation);
  }

  /** Waits for a request's answer, which fails only with a {@link ModelhostException}; an interrupt cancels it. */
  static <T> T await(CompletableFuture<T> result, Cancellation cancellation) {
    try {
      return result.get();
    } catch (ExecutionException e) {
      throw (ModelhostException) e.getCause();
    } catch (InterruptedException e) {
      cancellation.cancel();
      Thread.currentThread().interrupt();
      throw new RequestCancelledException("Interrupted while waiting for the answer.");
    }
  }

  @Override
  public Cancellation cancellation() {
    return cancellation;
  }

  @Override
  public void run(Replica replica) {
    replica.execute(inference, this);
  }

  @Override
  public void started() {
    startNanos = System.nanoTime();
  }

  /** Never blocks: a streamed request buffers what its reader has not taken yet. */
  @Override
  public void onDelta(ChoiceDelta delta) {
    List<C> chunks;
    synchronized (this) {
      boolean text = delta.text() != null && !delta.text().isEmpty();
      if (firstOutputNanos < 0 && (text || delta.toolCalls() != null)) {
        firstOutputNanos = System.nanoTime();
      }
      if (text) {
        outputDeltas++;
      }
      if (stream == null) {
        assembler.accept(delta);
        return;
      }
      chunks = protocol.chunks(assembler, delta);
    }
    stream.offer(chunks);
  }

  @Override
  public boolean backlogged() {
    return stream != null && stream.backlogged();
  }

  @Override
  public synchronized void onUsage(Usage usage, boolean estimated) {
    this.usage = usage;
    this.usageEstimated = estimated;
  }

  @Override
  public void succeeded() {
    Usage total = finalUsage();
    record(UsageRecord.Outcome.COMPLETED, null, total);
    if (stream == null) {
      R whole;
      synchronized (this) {
        whole = protocol.whole(assembler, total);
      }
      result.complete(whole);
      return;
    }
    List<C> last = new ArrayList<>();
    synchronized (this) {
      // A choice the backend ended without a finish reason stopped, as the whole answer says.
      for (int index : assembler.unfinishedChoices()) {
        last.addAll(protocol.chunks(assembler, ChoiceDelta.finish(index, "stop")));
      }
      if (protocol.includeUsage(request)) {
        last.add(protocol.usageChunk(assembler, total));
      }
    }
    stream.offer(last);
    stream.end(null);
  }

  @Override
  public void failed(ModelhostException error) {
    UsageRecord.Outcome outcome = error instanceof RequestCancelledException
        ? UsageRecord.Outcome.CANCELLED : UsageRecord.Outcome.FAILED;
    record(outcome, error, finalUsage());
    if (stream == null) {
      result.completeExceptionally(error);
    } else {
      stream.end(error);
    }
  }

  /** The service refused the request before queueing it. */
  void rejected(ModelhostException error) {
    record(UsageRecord.Outcome.FAILED, error, finalUsage());
  }

  /** The backend's count when it reported one, else an estimate: four characters a prompt token, a text delta an output token. */
  private synchronized Usage finalUsage() {
    if (usage != null) {
      return usage;
    }
    usageEstimated = true;
    return Usage.of((protocol.promptChars(request) + 3) / 4, outputDeltas);
  }

  private void record(UsageRecord.Outcome outcome, @Nullable ModelhostException error, Usage total) {
    if (!recorded.compareAndSet(false, true)) {
      return;
    }
    long now = System.nanoTime();
    long start = startNanos;
    long first = firstOutputNanos;
    String finishReason;
    boolean estimated;
    synchronized (this) {
      finishReason = outcome == UsageRecord.Outcome.COMPLETED ? assembler.firstFinishReason() : null;
      estimated = usageEstimated;
    }
    UsageRecord record = new UsageRecord(
        assembler.id(),
        service,
        caller.id(),
        protocol.endpoint(),
        outcome,
        total.promptTokens(),
        total.completionTokens(),
        finishReason,
        errorCode(error),
        estimated,
        arrival,
        Duration.ofNanos((start < 0 ? now : start) - arrivalNanos),
        first < 0 ? null : Duration.ofNanos(first - arrivalNanos),
        Duration.ofNanos(now - arrivalNanos));
    deliver(usageSink, record);
  }

  /** A usage record's {@code error_code}: the error's OpenAI code, else its type. */
  static @Nullable String errorCode(@Nullable ModelhostException error) {
    return error == null ? null : error.code() != null ? error.code() : error.type();
  }

  /** Hands a record to the sink; a failing sink is logged, never the request's failure. */
  static void deliver(UsageSink usageSink, UsageRecord record) {
    try {
      usageSink.record(record);
    } catch (RuntimeException e) {
      log.warn("The usage sink failed on request {}", record.requestId(), e);
    }
  }
}
