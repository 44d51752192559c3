package dev.modelhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.Json;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.exception.OverloadedException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.spi.PassThroughCapable.Endpoint;
import dev.modelhost.spi.UsageRecord;
import dev.modelhost.testing.RecordingUsageSink;
import dev.modelhost.testing.ScriptedBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class PassThroughTest {

  private static final String MODEL = "team/relay";
  private static final Caller KEY = new Caller("key-1");

  private final ScriptedBackend backend = new ScriptedBackend();
  private final RecordingUsageSink usage = new RecordingUsageSink();
  private final ModelHost host = ModelHost.builder().backend(backend).usageSink(usage).build();

  @AfterEach
  void close() {
    backend.releaseExecutions();
    host.close();
  }

  private void deploy(Map<String, String> options, int queueCapacity) {
    host.deploy(ServiceSpec.builder("team", "relay").backend(ScriptedBackend.NAME)
        .source(new ModelSource("script", options)).queueCapacity(queueCapacity).build());
    host.awaitRunning(MODEL, Duration.ofSeconds(5));
  }

  private void deployRelaying(String endpoints) {
    deploy(Map.of("pass-through", endpoints), 4);
  }

  private static JsonNode json(String text) {
    return Json.mapper().readTree(text);
  }

  private static JsonNode embeddings(String input) {
    return json("{\"model\":\"" + MODEL + "\",\"input\":" + input + "}");
  }

  @Test
  void recordsARelayedRequestThatALoadingServiceRefusesLikeAGeneration() throws InterruptedException {
    backend.holdLoad();
    try {
      host.deploy(ServiceSpec.builder("team", "relay").backend(ScriptedBackend.NAME)
          .source(new ModelSource("script", Map.of("pass-through", "embeddings"))).build());

      assertThatThrownBy(() -> host.chat(ChatCompletionRequest.builder(MODEL).addMessage(ChatMessage.user("hi")).build(),
          KEY)).isInstanceOf(OverloadedException.class);
      assertThatThrownBy(() -> host.passThrough(Endpoint.EMBEDDINGS, embeddings("\"hi\""), KEY))
          .isInstanceOf(OverloadedException.class);
    } finally {
      backend.releaseLoad();
    }

    List<UsageRecord> records = usage.await(r -> true, 2, Duration.ofSeconds(5));
    assertThat(records).extracting(UsageRecord::endpoint).containsExactly("chat.completions", "embeddings");
    assertThat(records).extracting(UsageRecord::outcome).containsOnly(UsageRecord.Outcome.FAILED);
    assertThat(records).extracting(UsageRecord::caller).containsOnly("key-1");
  }

  @Test
  void relaysEmbeddingsAndRecordsTheReportedPromptTokens() throws InterruptedException {
    deployRelaying("embeddings");

    JsonNode answer = host.passThrough(Endpoint.EMBEDDINGS, embeddings("[\"one two\",\"three\"]"), KEY);

    assertThat(answer.get("model").asString()).isEqualTo(MODEL);
    assertThat(answer.get("data")).hasSize(2);
    assertThat(answer.get("data").get(0).get("embedding").toString()).isEqualTo("[3.0,3.0]");
    UsageRecord record = usage.await(r -> true, 1, Duration.ofSeconds(5)).get(0);
    assertThat(record.endpoint()).isEqualTo("embeddings");
    assertThat(record.service()).isEqualTo(MODEL);
    assertThat(record.caller()).isEqualTo("key-1");
    assertThat(record.outcome()).isEqualTo(UsageRecord.Outcome.COMPLETED);
    assertThat(record.promptTokens()).isEqualTo(3);
    assertThat(record.completionTokens()).isZero();
    assertThat(record.estimated()).isFalse();
    assertThat(record.finishReason()).isNull();
    assertThat(record.timeToFirstToken()).isNotNull().isLessThanOrEqualTo(record.totalTime());
    assertThat(usage.records()).hasSize(1);
  }

  @Test
  void estimatesPromptTokensWhenTheAnswerReportsNoUsage() throws InterruptedException {
    deploy(Map.of("pass-through", "images/generations", "report-usage", "false"), 4);

    JsonNode answer = host.passThrough(Endpoint.IMAGES_GENERATIONS,
        json("{\"model\":\"" + MODEL + "\",\"prompt\":\"a lighthouse at dusk\"}"), KEY);

    assertThat(answer.get("data").get(0).get("url").asString()).endsWith(".png");
    UsageRecord record = usage.await(r -> true, 1, Duration.ofSeconds(5)).get(0);
    assertThat(record.endpoint()).isEqualTo("images.generations");
    assertThat(record.estimated()).isTrue();
    assertThat(record.promptTokens()).isEqualTo(5);
    assertThat(record.completionTokens()).isZero();
  }

  @Test
  void rejectsABodyWithoutModelWith400() {
    deployRelaying("embeddings");

    assertThatThrownBy(() -> host.passThrough(Endpoint.EMBEDDINGS, json("{\"input\":\"hi\"}"), KEY))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(400);
          assertThat(e.param()).isEqualTo("model");
          assertThat(e.code()).isEqualTo("missing_required_parameter");
        });
    assertThatThrownBy(() -> host.passThrough(Endpoint.EMBEDDINGS, json("{\"model\":7,\"input\":\"hi\"}"), KEY))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.code()).isEqualTo("invalid_type"));
    assertThatThrownBy(() -> host.passThrough(Endpoint.EMBEDDINGS, json("[1,2]"), KEY))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.httpStatus()).isEqualTo(400));
    assertThat(usage.records()).isEmpty();
  }

  @Test
  void rejectsUnknownAndDeletedModelsWith404() {
    deployRelaying("embeddings");
    host.delete(MODEL);

    assertThatThrownBy(() -> host.passThrough(Endpoint.EMBEDDINGS, embeddings("\"hi\""), KEY))
        .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("model_not_found"));
    assertThatThrownBy(() -> host.passThrough(Endpoint.EMBEDDINGS,
        json("{\"model\":\"team/none\",\"input\":\"hi\"}"), KEY))
        .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("model_not_found"));
  }

  @Test
  void rejectsAnEndpointTheBackendDoesNotRelayWith404OnTheModel() {
    deployRelaying("embeddings");

    assertThatThrownBy(() -> host.passThrough(Endpoint.IMAGES_GENERATIONS,
        json("{\"model\":\"" + MODEL + "\",\"prompt\":\"a cat\"}"), KEY))
        .isInstanceOfSatisfying(NotFoundException.class, e -> {
          assertThat(e.param()).isEqualTo("model");
          assertThat(e.getMessage()).contains("/v1/images/generations");
        });
    assertThat(backend.lastRuntime().executions()).isZero();
    assertThat(usage.records()).isEmpty();
  }

  @Test
  void waitsForAReplicaLikeAGenerationAndIsRefusedWhenTheQueueIsFull() throws Exception {
    deploy(Map.of("pass-through", "embeddings"), 0);
    backend.holdExecutions();
    CompletableFuture<JsonNode> first =
        CompletableFuture.supplyAsync(() -> host.passThrough(Endpoint.EMBEDDINGS, embeddings("\"first\""), KEY));
    assertThat(backend.awaitExecutionsStarted(1, Duration.ofSeconds(5))).isTrue();

    assertThatThrownBy(() -> host.passThrough(Endpoint.EMBEDDINGS, embeddings("\"second\""), KEY))
        .isInstanceOf(OverloadedException.class);

    UsageRecord refused = usage.await(r -> true, 1, Duration.ofSeconds(5)).get(0);
    assertThat(refused.outcome()).isEqualTo(UsageRecord.Outcome.FAILED);
    backend.releaseExecutions();
    assertThat(first.get(5, TimeUnit.SECONDS).get("data")).hasSize(1);
    assertThat(usage.await(r -> r.outcome() == UsageRecord.Outcome.COMPLETED, 1, Duration.ofSeconds(5))).hasSize(1);
    assertThat(usage.records()).hasSize(2);
  }

  @Test
  void cancellingARunningCallEndsItAndRecordsItCancelled() throws Exception {
    deployRelaying("embeddings");
    backend.holdExecutions();
    Cancellation cancellation = new Cancellation();
    CompletableFuture<JsonNode> call = CompletableFuture.supplyAsync(
        () -> host.passThrough(Endpoint.EMBEDDINGS, embeddings("\"hi\""), KEY, cancellation));
    assertThat(backend.awaitExecutionsStarted(1, Duration.ofSeconds(5))).isTrue();

    cancellation.cancel();

    assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(RequestCancelledException.class);
    UsageRecord record = usage.await(r -> true, 1, Duration.ofSeconds(5)).get(0);
    assertThat(record.outcome()).isEqualTo(UsageRecord.Outcome.CANCELLED);
    assertThat(record.errorCode()).isEqualTo("request_cancelled");
  }

  @Test
  void cancellingAQueuedCallWithdrawsItFromTheQueue() throws Exception {
    deployRelaying("embeddings");
    backend.holdExecutions();
    CompletableFuture<JsonNode> running =
        CompletableFuture.supplyAsync(() -> host.passThrough(Endpoint.EMBEDDINGS, embeddings("\"first\""), KEY));
    assertThat(backend.awaitExecutionsStarted(1, Duration.ofSeconds(5))).isTrue();
    Cancellation cancellation = new Cancellation();
    CompletableFuture<JsonNode> queued = CompletableFuture.supplyAsync(
        () -> host.passThrough(Endpoint.EMBEDDINGS, embeddings("\"second\""), KEY, cancellation));

    cancellation.cancel();

    assertThatThrownBy(() -> queued.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(RequestCancelledException.class);
    backend.releaseExecutions();
    running.get(5, TimeUnit.SECONDS);
    assertThat(backend.lastRuntime().executions()).isEqualTo(1);
    assertThat(usage.await(r -> true, 2, Duration.ofSeconds(5)))
        .extracting(UsageRecord::outcome)
        .containsExactlyInAnyOrder(UsageRecord.Outcome.CANCELLED, UsageRecord.Outcome.COMPLETED);
  }

  @Test
  void relaysTheBackendsRefusalAndRecordsItFailed() throws InterruptedException {
    deployRelaying("embeddings");

    assertThatThrownBy(() -> host.passThrough(Endpoint.EMBEDDINGS, embeddings("\"fail\""), KEY))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo("input"));

    UsageRecord record = usage.await(r -> true, 1, Duration.ofSeconds(5)).get(0);
    assertThat(record.outcome()).isEqualTo(UsageRecord.Outcome.FAILED);
    assertThat(record.errorCode()).isEqualTo("invalid_value");
    assertThat(host.describe(MODEL).readyReplicas()).isEqualTo(1);
  }
}
