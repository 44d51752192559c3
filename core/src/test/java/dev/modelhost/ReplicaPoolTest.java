package dev.modelhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.api.ChatCompletion;
import dev.modelhost.api.ChatCompletionChunk;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.exception.OverloadedException;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.spi.ReplicaFailureException;
import dev.modelhost.spi.UsageRecord;
import dev.modelhost.testing.Await;
import dev.modelhost.testing.RecordingUsageSink;
import dev.modelhost.testing.ScriptedBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReplicaPoolTest {

  private static final String MODEL = "team/pool";

  private final ScriptedBackend backend = new ScriptedBackend();
  private final RecordingUsageSink usage = new RecordingUsageSink();
  private final ModelHost host = ModelHost.builder()
      .backend(backend)
      .usageSink(usage)
      .replicaRestartBackoff(Duration.ofMillis(5), Duration.ofMillis(20))
      .maxReplicaRestarts(2)
      .build();
  private final ExecutorService callers = Executors.newFixedThreadPool(10);

  @AfterEach
  void close() {
    backend.releaseExecutions();
    backend.releaseCreations();
    callers.shutdownNow();
    host.close();
  }

  private ScriptedBackend.ScriptedRuntime deploy(ServiceSpec.Builder spec, Map<String, String> options) {
    host.deploy(spec.backend(ScriptedBackend.NAME).source(new ModelSource("script", options)).build());
    host.awaitRunning(MODEL, Duration.ofSeconds(5));
    return backend.lastRuntime();
  }

  private static ServiceSpec.Builder pool() {
    return ServiceSpec.builder("team", "pool");
  }

  private static ChatCompletionRequest.Builder hello() {
    return ChatCompletionRequest.builder(MODEL).addMessage(ChatMessage.user("Hello there"));
  }

  @Test
  void spreadsRequestsOverTheLeastBusyReplicasWithinTheirCapacity() throws Exception {
    ScriptedBackend.ScriptedRuntime runtime = deploy(pool().replicas(2), Map.of("capacity", "2", "step-delay-ms", "2"));

    List<Future<ChatCompletion>> answers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      answers.add(callers.submit(() -> host.chat(hello().build())));
    }
    for (Future<ChatCompletion> answer : answers) {
      assertThat(answer.get(10, TimeUnit.SECONDS).firstContent()).isEqualTo(ScriptedBackend.DEFAULT_REPLY);
    }

    assertThat(runtime.maxConcurrencyPerReplica()).isBetween(1, 2);
    assertThat(runtime.executionsPerReplica()).hasSize(2).allSatisfy(n -> assertThat(n).isPositive());
  }

  @Test
  void refusesWithRetryAfterWhenTheQueueIsFull() {
    deploy(pool().queueCapacity(1), Map.of());
    backend.holdExecutions();

    ResponseStream<ChatCompletionChunk> running = host.streamChat(hello().build());
    ResponseStream<ChatCompletionChunk> queued = host.streamChat(hello().build());

    assertThatThrownBy(() -> host.streamChat(hello().build()))
        .isInstanceOfSatisfying(OverloadedException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(503);
          assertThat(e.retryAfter()).isPositive();
          assertThat(e.isRetriable()).isTrue();
        });

    backend.releaseExecutions();
    running.forEachRemaining(c -> { });
    queued.forEachRemaining(c -> { });
    assertThat(usage.records()).extracting(UsageRecord::outcome)
        .containsExactlyInAnyOrder(UsageRecord.Outcome.FAILED, UsageRecord.Outcome.COMPLETED, UsageRecord.Outcome.COMPLETED);
  }

  @Test
  void refusesARequestThatWaitedPastItsDeadline() throws Exception {
    deploy(pool().requestTimeout(Duration.ofMillis(50)), Map.of());
    backend.holdExecutions();
    ResponseStream<ChatCompletionChunk> running = host.streamChat(hello().build());
    assertThat(backend.awaitExecutionsStarted(1, Duration.ofSeconds(5))).isTrue();

    ResponseStream<ChatCompletionChunk> queued = host.streamChat(hello().build());

    assertThatThrownBy(queued::hasNext)
        .isInstanceOf(OverloadedException.class)
        .hasMessageContaining("waited more than 50 ms");
    backend.releaseExecutions();
    running.forEachRemaining(c -> { });
    assertThat(usage.awaitOne(queued.id()).errorCode()).isEqualTo("service_unavailable");
  }

  @Test
  void refusesAtOnceWhenTheEstimatedWaitPassesTheDeadlineWithARetryAfterFromTheEstimate() throws Exception {
    // Nine words and a finish, 150 ms a step: a request takes at least 1.5 s, longer than the timeout.
    deploy(pool().requestTimeout(Duration.ofSeconds(1)), Map.of("step-delay-ms", "150"));
    host.chat(hello().build());
    backend.holdExecutions();
    ResponseStream<ChatCompletionChunk> running = host.streamChat(hello().build());
    assertThat(backend.awaitExecutionsStarted(2, Duration.ofSeconds(5))).isTrue();

    assertThatThrownBy(() -> host.streamChat(hello().build()))
        .isInstanceOfSatisfying(OverloadedException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(503);
          assertThat(e.getMessage()).contains("the estimated wait for a replica");
          long estimateMillis = Long.parseLong(e.getMessage().replaceAll(".*replica \\((\\d+) ms\\).*", "$1"));
          assertThat(estimateMillis).isGreaterThanOrEqualTo(1500);
          assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds((estimateMillis + 999) / 1000));
        });
    assertThat(usage.records()).filteredOn(r -> r.outcome() == UsageRecord.Outcome.FAILED)
        .singleElement().satisfies(r -> assertThat(r.errorCode()).isEqualTo("service_unavailable"));
    assertThat(host.describe(MODEL).queuedRequests()).isZero();
    backend.releaseExecutions();
    running.forEachRemaining(c -> { });
  }

  @Test
  void refusesQueuedRequestsAsSoonAsTheServiceTimeShowsTheyCannotStartInTime() throws Exception {
    // Nine words and a finish, 200 ms a step: a request takes at least 2 s; requests may wait 3 s.
    deploy(pool().requestTimeout(Duration.ofSeconds(3)), Map.of("step-delay-ms", "200"));
    ResponseStream<ChatCompletionChunk> first = host.streamChat(hello().build());
    assertThat(backend.awaitExecutionsStarted(1, Duration.ofSeconds(5))).isTrue();
    // Nothing has completed yet, so there is no estimate: both wait.
    ResponseStream<ChatCompletionChunk> second = host.streamChat(hello().build());
    ResponseStream<ChatCompletionChunk> third = host.streamChat(hello().build());

    first.forEachRemaining(c -> { });
    // The first took 2 s: the second starts now, the third would start 2 s later, past its deadline.
    assertThatThrownBy(third::hasNext)
        .isInstanceOfSatisfying(OverloadedException.class, e -> {
          assertThat(e.getMessage()).contains("the estimated wait for a replica");
          assertThat(e.retryAfter()).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        });
    assertThat(second.hasNext()).isTrue();
    second.close();
  }

  @Test
  void closingAQueuedStreamRemovesItFromTheQueue() throws Exception {
    deploy(pool().queueCapacity(1), Map.of());
    backend.holdExecutions();
    ResponseStream<ChatCompletionChunk> running = host.streamChat(hello().build());
    ResponseStream<ChatCompletionChunk> queued = host.streamChat(hello().build());

    queued.close();

    assertThat(usage.awaitOne(queued.id()).outcome()).isEqualTo(UsageRecord.Outcome.CANCELLED);
    ResponseStream<ChatCompletionChunk> next = host.streamChat(hello().build());
    backend.releaseExecutions();
    running.forEachRemaining(c -> { });
    next.forEachRemaining(c -> { });
    assertThat(usage.awaitOne(next.id()).outcome()).isEqualTo(UsageRecord.Outcome.COMPLETED);
    assertThat(backend.lastRuntime().executions()).isEqualTo(2);
  }

  @Test
  void describesQueueDepthAndBusyReplicasWhileRequestsAreHeld() throws Exception {
    deploy(pool().replicas(2).queueCapacity(4), Map.of());
    assertThat(host.describe(MODEL)).satisfies(idle -> {
      assertThat(idle.busyReplicas()).isZero();
      assertThat(idle.inFlightRequests()).isZero();
      assertThat(idle.queuedRequests()).isZero();
    });
    backend.holdExecutions();

    List<ResponseStream<ChatCompletionChunk>> running = List.of(
        host.streamChat(hello().build()), host.streamChat(hello().build()));
    assertThat(backend.awaitExecutionsStarted(2, Duration.ofSeconds(5))).isTrue();
    ResponseStream<ChatCompletionChunk> firstQueued = host.streamChat(hello().build());
    ResponseStream<ChatCompletionChunk> secondQueued = host.streamChat(hello().build());

    ModelService busy = host.describe(MODEL);
    assertThat(busy.busyReplicas()).isEqualTo(2);
    assertThat(busy.inFlightRequests()).isEqualTo(2);
    assertThat(busy.queuedRequests()).isEqualTo(2);

    secondQueued.close();
    assertThat(usage.awaitOne(secondQueued.id()).outcome()).isEqualTo(UsageRecord.Outcome.CANCELLED);
    assertThat(host.describe(MODEL).queuedRequests()).isEqualTo(1);

    backend.releaseExecutions();
    running.forEach(stream -> stream.forEachRemaining(c -> { }));
    firstQueued.forEachRemaining(c -> { });
    Await.until("every request has finished", () -> host.describe(MODEL).inFlightRequests() == 0);
    assertThat(host.describe(MODEL)).satisfies(idle -> {
      assertThat(idle.busyReplicas()).isZero();
      assertThat(idle.queuedRequests()).isZero();
    });
  }

  @Test
  void awaitNextReturnsFalseWhileQueuedAndTrueOnceAChunkIsReady() throws Exception {
    deploy(pool(), Map.of());
    backend.holdExecutions();
    ResponseStream<ChatCompletionChunk> running = host.streamChat(hello().build());
    assertThat(backend.awaitExecutionsStarted(1, Duration.ofSeconds(5))).isTrue();
    ResponseStream<ChatCompletionChunk> queued = host.streamChat(hello().build());

    assertThat(queued.awaitNext(Duration.ofMillis(20))).isFalse();

    backend.releaseExecutions();
    assertThat(queued.awaitNext(Duration.ofSeconds(10))).isTrue();
    assertThat(queued.hasNext()).isTrue();
    running.forEachRemaining(c -> { });
    queued.forEachRemaining(c -> { });
  }

  @Test
  void closingAStreamMidwayCancelsTheGenerationAndFreesTheReplica() throws Exception {
    String reply = String.join(" ", Collections.nCopies(200, "word"));
    ScriptedBackend.ScriptedRuntime runtime = deploy(pool(), Map.of("reply", reply, "step-delay-ms", "2"));

    ResponseStream<ChatCompletionChunk> stream = host.streamChat(hello().build());
    for (int i = 0; i < 3; i++) {
      stream.next();
    }
    stream.close();

    assertThat(stream.hasNext()).isFalse();
    ChatCompletion next = host.chat(hello().maxTokens(2).build());
    assertThat(next.usage().completionTokens()).isEqualTo(2);
    UsageRecord cancelled = usage.awaitOne(stream.id());
    assertThat(cancelled.outcome()).isEqualTo(UsageRecord.Outcome.CANCELLED);
    assertThat(cancelled.completionTokens()).isLessThan(200);
    assertThat(runtime.executions()).isEqualTo(2);
  }

  @Test
  void replacesAFailedReplicaAndSaysSoInTheStatus() {
    ScriptedBackend.ScriptedRuntime runtime = deploy(pool(), Map.of());
    backend.failNextExecutions(1).holdCreations();

    assertThatThrownBy(() -> host.chat(hello().build()))
        .isInstanceOfSatisfying(ReplicaFailureException.class, e -> {
          assertThat(e.code()).isEqualTo("replica_failed");
          assertThat(e.isRetriable()).isTrue();
        });
    ModelService degraded = host.describe(MODEL);
    assertThat(degraded.status()).isEqualTo(ServiceStatus.RUNNING);
    assertThat(degraded.readyReplicas()).isZero();
    assertThat(degraded.statusReason()).contains("replica 0 failed", "scripted replica 0 broke", "replacing");

    backend.releaseCreations();

    Await.until("the replica is replaced", () -> host.describe(MODEL).readyReplicas() == 1);
    assertThat(host.describe(MODEL).statusReason()).isNull();
    assertThat(host.chat(hello().build()).firstContent()).isEqualTo(ScriptedBackend.DEFAULT_REPLY);
    assertThat(runtime.replicasClosed()).isEqualTo(1);
    assertThat(runtime.openReplicas()).isEqualTo(1);
  }

  @Test
  void tellsCallersThatAReplicaCrashedWithoutShowingTheCrash() {
    deploy(pool(), Map.of());
    // The replacement replica is held so that it cannot clear the reason before it is read.
    backend.crashNextExecution(new IllegalStateException("secret internal detail")).holdCreations();

    assertThatThrownBy(() -> host.chat(hello().build()))
        .isInstanceOf(ReplicaFailureException.class)
        .hasMessageContaining("Replica 0 of `team/pool` failed")
        .hasMessageNotContaining("secret internal detail");
    assertThat(host.describe(MODEL).statusReason()).contains("secret internal detail");

    backend.releaseCreations();
    Await.until("the replica is replaced", () -> host.describe(MODEL).statusReason() == null);
  }

  @Test
  void tellsCallersThatABrokenServiceIsUnavailableWithoutShowingWhy() {
    deploy(pool(), Map.of());
    backend.failNextExecutions(1).failNextCreations(10);
    assertThatThrownBy(() -> host.chat(hello().build())).isInstanceOf(ReplicaFailureException.class);
    Await.until("the service fails", () -> host.describe(MODEL).status() == ServiceStatus.FAILED);

    assertThatThrownBy(() -> host.chat(hello().build()))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("`team/pool` is unavailable")
        .hasMessageNotContaining("scripted creation failure");
    assertThat(host.describe(MODEL).statusReason()).contains("scripted creation failure");
  }

  @Test
  void failsTheServiceWhenItsReplicasFailRepeatedlyAndRecoversWhenScaled() {
    deploy(pool(), Map.of());
    backend.failNextExecutions(1).failNextCreations(10);

    assertThatThrownBy(() -> host.chat(hello().build())).isInstanceOf(ReplicaFailureException.class);

    Await.until("the service fails", () -> host.describe(MODEL).status() == ServiceStatus.FAILED);
    assertThat(host.describe(MODEL).statusReason()).contains("failed repeatedly", "could not be created");
    assertThatThrownBy(() -> host.chat(hello().build()))
        .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.httpStatus()).isEqualTo(503));
    assertThatThrownBy(() -> host.awaitRunning(MODEL, Duration.ofSeconds(1))).isInstanceOf(ModelLoadException.class);

    backend.failNextCreations(0);
    host.scale(MODEL, 1);

    assertThat(host.awaitRunning(MODEL, Duration.ofSeconds(5)).readyReplicas()).isEqualTo(1);
    assertThat(host.chat(hello().build()).firstContent()).isEqualTo(ScriptedBackend.DEFAULT_REPLY);
  }

  @Test
  void deletingFailsQueuedRequestsOnceTheLastReplicaBreaksAndClosesTheRuntime() throws Exception {
    ScriptedBackend.ScriptedRuntime runtime = deploy(pool().requestTimeout(Duration.ofSeconds(20)), Map.of());
    backend.holdExecutions();
    ResponseStream<ChatCompletionChunk> running = host.streamChat(hello().build());
    assertThat(backend.awaitExecutionsStarted(1, Duration.ofSeconds(5))).isTrue();
    ResponseStream<ChatCompletionChunk> queued = host.streamChat(hello().build());
    host.delete(MODEL, "pool");

    backend.failNextExecutions(1);
    backend.releaseExecutions();

    assertThatThrownBy(() -> running.forEachRemaining(c -> { })).isInstanceOf(ReplicaFailureException.class);
    // No replica is left to serve it, so it fails now instead of waiting out its 20 seconds.
    assertThatThrownBy(queued::hasNext).isInstanceOf(NotFoundException.class);
    Await.until("the runtime is closed", runtime::isClosed);
    assertThat(usage.awaitOne(queued.id()).outcome()).isEqualTo(UsageRecord.Outcome.FAILED);
  }

  @Test
  void drainsAReplicaThatIsScaledAwayOnlyAfterItsRequestsFinish() throws Exception {
    ScriptedBackend.ScriptedRuntime runtime = deploy(pool().replicas(2), Map.of());
    backend.holdExecutions();
    ResponseStream<ChatCompletionChunk> first = host.streamChat(hello().build());
    ResponseStream<ChatCompletionChunk> second = host.streamChat(hello().build());
    assertThat(backend.awaitExecutionsStarted(2, Duration.ofSeconds(5))).isTrue();

    ModelService scaling = host.scale(MODEL, 1);

    assertThat(scaling.status()).isEqualTo(ServiceStatus.SCALING);
    assertThat(scaling.replicas()).isEqualTo(1);
    assertThat(runtime.openReplicas()).isEqualTo(2);
    backend.releaseExecutions();
    assertThat(text(first)).isEqualTo(ScriptedBackend.DEFAULT_REPLY);
    assertThat(text(second)).isEqualTo(ScriptedBackend.DEFAULT_REPLY);
    Await.until("scaling is done", () -> host.describe(MODEL).status() == ServiceStatus.RUNNING);
    assertThat(runtime.openReplicas()).isEqualTo(1);
  }

  @Test
  void scalesUpAndDownWhileFiftyRequestsFlowLosingNone() throws Exception {
    ScriptedBackend.ScriptedRuntime runtime =
        deploy(pool().queueCapacity(16).requestTimeout(Duration.ofSeconds(5)), Map.of("step-delay-ms", "1"));

    List<Future<String>> outcomes = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      outcomes.add(callers.submit(() -> {
        try {
          return host.chat(hello().build()).firstContent();
        } catch (OverloadedException e) {
          return "overloaded";
        }
      }));
    }
    CompletableFuture<Void> scaling = CompletableFuture.runAsync(() -> {
      for (int replicas : new int[] {3, 1, 4, 2}) {
        host.scale(MODEL, replicas);
        sleep(15);
      }
    });

    int answered = 0;
    for (Future<String> outcome : outcomes) {
      String result = outcome.get(10, TimeUnit.SECONDS);
      assertThat(result).isIn(ScriptedBackend.DEFAULT_REPLY, "overloaded");
      answered += result.equals("overloaded") ? 0 : 1;
    }
    scaling.get(10, TimeUnit.SECONDS);

    assertThat(answered).isPositive();
    assertThat(usage.await(r -> true, 50, Duration.ofSeconds(5))).hasSize(50);
    Await.until("scaling settles", () -> host.describe(MODEL).status() == ServiceStatus.RUNNING);
    assertThat(host.describe(MODEL).readyReplicas()).isEqualTo(2);
    assertThat(runtime.openReplicas()).isEqualTo(2);
    assertThat(runtime.maxConcurrencyPerReplica()).isEqualTo(1);
  }

  private static String text(ResponseStream<ChatCompletionChunk> stream) {
    StringBuilder text = new StringBuilder();
    stream.forEachRemaining(c -> c.choices().forEach(choice -> {
      if (choice.delta().content() != null) {
        text.append(choice.delta().content());
      }
    }));
    return text.toString();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

}
