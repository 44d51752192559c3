package dev.modelhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.api.ChatCompletion;
import dev.modelhost.api.ChatCompletionChunk;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.exception.OverloadedException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.spi.ReplicaFailureException;
import dev.modelhost.spi.UsageRecord;
import dev.modelhost.testing.RecordingUsageSink;
import dev.modelhost.testing.ScriptedBackend;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UsageRecordTest {

  private static final String MODEL = "team/usage";
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
    host.deploy(ServiceSpec.builder("team", "usage").backend(ScriptedBackend.NAME)
        .source(new ModelSource("script", options)).queueCapacity(queueCapacity).build());
    host.awaitRunning(MODEL, Duration.ofSeconds(5));
  }

  private static ChatCompletionRequest.Builder hello() {
    return ChatCompletionRequest.builder(MODEL).addMessage(ChatMessage.user("Hello there"));
  }

  @Test
  void handsEachRecordToEveryAddedSinkEvenWhenOneFails() throws InterruptedException {
    RecordingUsageSink second = new RecordingUsageSink();
    ScriptedBackend other = new ScriptedBackend();
    try (ModelHost both = ModelHost.builder().backend(other).usageSink(usage)
        .addUsageSink(record -> {
          throw new IllegalStateException("broken sink");
        })
        .addUsageSink(second).build()) {
      both.deploy(ServiceSpec.builder("team", "usage").backend(ScriptedBackend.NAME)
          .source(new ModelSource("script", Map.of())).build());
      both.awaitRunning(MODEL, Duration.ofSeconds(5));

      ChatCompletion answer = both.chat(hello().build(), KEY);

      assertThat(usage.awaitOne(answer.id())).isEqualTo(second.awaitOne(answer.id()));
    }
  }

  @Test
  void aSetSinkReplacesTheSinksBeforeIt() throws InterruptedException {
    RecordingUsageSink replaced = new RecordingUsageSink();
    ScriptedBackend other = new ScriptedBackend();
    try (ModelHost replacing = ModelHost.builder().backend(other).addUsageSink(replaced).usageSink(usage).build()) {
      replacing.deploy(ServiceSpec.builder("team", "usage").backend(ScriptedBackend.NAME)
          .source(new ModelSource("script", Map.of())).build());
      replacing.awaitRunning(MODEL, Duration.ofSeconds(5));

      ChatCompletion answer = replacing.chat(hello().build(), KEY);

      usage.awaitOne(answer.id());
      assertThat(replaced.records()).isEmpty();
    }
  }

  @Test
  void recordsACompletedRequestWithItsTokensAndTimes() throws InterruptedException {
    deploy(Map.of(), 4);

    ChatCompletion answer = host.chat(hello().maxTokens(3).build(), KEY);

    UsageRecord record = usage.awaitOne(answer.id());
    assertThat(record.service()).isEqualTo(MODEL);
    assertThat(record.caller()).isEqualTo("key-1");
    assertThat(record.endpoint()).isEqualTo("chat.completions");
    assertThat(record.outcome()).isEqualTo(UsageRecord.Outcome.COMPLETED);
    assertThat(record.promptTokens()).isEqualTo(2);
    assertThat(record.completionTokens()).isEqualTo(3);
    assertThat(record.finishReason()).isEqualTo("length");
    assertThat(record.errorCode()).isNull();
    assertThat(record.estimated()).isFalse();
    assertThat(record.timeToFirstToken()).isNotNull().isLessThanOrEqualTo(record.totalTime());
    assertThat(record.queueTime()).isLessThanOrEqualTo(record.timeToFirstToken());
    assertThat(usage.records()).hasSize(1);
  }

  @Test
  void estimatesTokensWhenTheBackendReportsNone() throws InterruptedException {
    deploy(Map.of("report-usage", "false"), 4);

    ChatCompletion answer = host.chat(hello().build());

    UsageRecord record = usage.awaitOne(answer.id());
    assertThat(record.estimated()).isTrue();
    assertThat(record.completionTokens()).isEqualTo(answer.usage().completionTokens()).isEqualTo(9);
    assertThat(record.promptTokens()).isEqualTo(answer.usage().promptTokens()).isEqualTo(3);
  }

  @Test
  void recordsAFailedRequestWithItsErrorCode() throws InterruptedException {
    deploy(Map.of(), 4);
    backend.failNextExecutions(1);

    assertThatThrownBy(() -> host.chat(hello().build())).isInstanceOf(ReplicaFailureException.class);

    UsageRecord record = usage.await(r -> true, 1, Duration.ofSeconds(5)).get(0);
    assertThat(record.outcome()).isEqualTo(UsageRecord.Outcome.FAILED);
    assertThat(record.errorCode()).isEqualTo("replica_failed");
    assertThat(record.finishReason()).isNull();
    assertThat(record.completionTokens()).isEqualTo(1);
    assertThat(usage.records()).hasSize(1);
  }

  @Test
  void recordsACancelledStreamOnce() throws InterruptedException {
    deploy(Map.of("step-delay-ms", "5"), 4);

    ResponseStream<ChatCompletionChunk> stream = host.streamChat(hello().build());
    stream.next();
    stream.close();
    stream.close();

    assertThat(usage.awaitOne(stream.id()).outcome()).isEqualTo(UsageRecord.Outcome.CANCELLED);
    assertThat(usage.records()).hasSize(1);
  }

  @Test
  void interruptingAWaitingCallerCancelsItsRequest() throws Exception {
    deploy(Map.of(), 4);
    backend.holdExecutions();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread caller = new Thread(() -> {
      try {
        host.chat(hello().build());
      } catch (RuntimeException e) {
        thrown.set(e);
      }
    });
    caller.start();
    assertThat(backend.awaitExecutionsStarted(1, Duration.ofSeconds(5))).isTrue();

    caller.interrupt();
    caller.join(5000);

    assertThat(thrown.get()).isInstanceOf(RequestCancelledException.class);
    UsageRecord record = usage.await(r -> true, 1, Duration.ofSeconds(5)).get(0);
    assertThat(record.outcome()).isEqualTo(UsageRecord.Outcome.CANCELLED);
    assertThat(record.errorCode()).isEqualTo("request_cancelled");
  }

  @Test
  void recordsARefusalForLackOfCapacity() throws InterruptedException {
    deploy(Map.of(), 0);
    backend.holdExecutions();
    ResponseStream<ChatCompletionChunk> running = host.streamChat(hello().build());

    assertThatThrownBy(() -> host.chat(hello().build())).isInstanceOf(OverloadedException.class);

    UsageRecord refused = usage.await(r -> true, 1, Duration.ofSeconds(5)).get(0);
    assertThat(refused.outcome()).isEqualTo(UsageRecord.Outcome.FAILED);
    assertThat(refused.errorCode()).isEqualTo("service_unavailable");
    assertThat(refused.timeToFirstToken()).isNull();
    backend.releaseExecutions();
    running.forEachRemaining(c -> { });
    assertThat(usage.awaitOne(running.id()).outcome()).isEqualTo(UsageRecord.Outcome.COMPLETED);
    assertThat(usage.records()).hasSize(2);
  }

  @Test
  void recordsNothingForRequestsThatNeverReachAService() {
    deploy(Map.of(), 4);

    assertThatThrownBy(() -> host.chat(hello().temperature(5.0).build())).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> host.chat(ChatCompletionRequest.builder("team/none")
        .addMessage(ChatMessage.user("hi")).build())).isInstanceOf(NotFoundException.class);

    assertThat(usage.records()).isEmpty();
  }

  @Test
  void validatesBeforeQueueingSoABadRequestIsNeverRefusedForCapacity() {
    deploy(Map.of(), 0);
    backend.holdExecutions();
    ResponseStream<ChatCompletionChunk> running = host.streamChat(hello().build());

    assertThatThrownBy(() -> host.chat(hello().n(0).build()))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo("n"));
    running.close();
  }
}
