package dev.modelhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.api.ChatCompletion;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.ModelList;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.BackendNotFoundException;
import dev.modelhost.exception.ConflictException;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.exception.OverloadedException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.testing.Await;
import dev.modelhost.testing.ScriptedBackend;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServiceLifecycleTest {

  private static final Instant NOW = Instant.parse("2026-11-22T01:00:00Z");

  private final ScriptedBackend backend = new ScriptedBackend();
  private final ModelHost host = ModelHost.builder()
      .backend(backend)
      .clock(Clock.fixed(NOW, ZoneOffset.UTC))
      .build();

  @AfterEach
  void close() {
    backend.releaseLoad();
    backend.releaseExecutions();
    host.close();
  }

  static ServiceSpec.Builder spec(String name) {
    return ServiceSpec.builder("team", name).backend(ScriptedBackend.NAME).source(ModelSource.of("script"));
  }

  static ChatCompletionRequest hello(String model) {
    return ChatCompletionRequest.builder(model).addMessage(ChatMessage.user("Hello there")).build();
  }

  @Test
  void loadsInTheBackgroundAndRunsOnceLoaded() {
    backend.holdLoad();

    ModelService creating = host.deploy(spec("chat").replicas(2).build());

    assertThat(creating.status()).isEqualTo(ServiceStatus.CREATING);
    assertThat(creating.accessPath()).isEqualTo("team/chat");
    assertThat(creating.readyReplicas()).isZero();
    assertThat(creating.modelType()).isEqualTo("unknown");
    assertThatThrownBy(() -> host.chat(hello("team/chat")))
        .isInstanceOfSatisfying(OverloadedException.class, e -> assertThat(e.httpStatus()).isEqualTo(503));

    backend.releaseLoad();
    ModelService running = host.awaitRunning("team/chat", Duration.ofSeconds(5));

    assertThat(running.status()).isEqualTo(ServiceStatus.RUNNING);
    assertThat(running.readyReplicas()).isEqualTo(2);
    assertThat(running.modelType()).isEqualTo("scripted");
    assertThat(running.created()).isEqualTo(NOW);
    assertThat(running.statusReason()).isNull();
    assertThat(host.chat(hello("team/chat")).firstContent()).isEqualTo(ScriptedBackend.DEFAULT_REPLY);
  }

  @Test
  void refusesASecondServiceWithTheSameAccessPath() {
    host.deploy(spec("chat").build());

    assertThatThrownBy(() -> host.deploy(spec("chat").build()))
        .isInstanceOfSatisfying(ConflictException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(409);
          assertThat(e.getMessage()).contains("team/chat");
        });
  }

  @Test
  void reportsAFailedLoadWithItsReason() {
    backend.failLoad(new ModelLoadException("no weights in script"));
    host.deploy(spec("broken").build());

    assertThatThrownBy(() -> host.awaitRunning("team/broken", Duration.ofSeconds(5)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("no weights in script");
    ModelService failed = host.describe("team/broken");
    assertThat(failed.status()).isEqualTo(ServiceStatus.FAILED);
    assertThat(failed.statusReason()).contains("no weights in script");
    assertThatThrownBy(() -> host.chat(hello("team/broken")))
        .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.httpStatus()).isEqualTo(503));
    assertThatThrownBy(() -> host.scale("team/broken", 2)).isInstanceOf(ConflictException.class);

    host.delete("team/broken", "broken");
    Await.until("the failed service is gone", () -> host.services().isEmpty());
  }

  @Test
  void tellsCallersThatAServiceFailedToLoadWithoutShowingWhy() {
    backend.failLoad(new IllegalStateException("cannot read /secret/model/path"));
    host.deploy(spec("broken").build());
    Await.until("the load fails", () -> host.describe("team/broken").status() == ServiceStatus.FAILED);

    assertThatThrownBy(() -> host.chat(hello("team/broken")))
        .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.httpStatus()).isEqualTo(503))
        .hasMessageContaining("`team/broken` is unavailable")
        .hasMessageNotContaining("/secret/model/path");
    assertThat(host.describe("team/broken").statusReason()).contains("/secret/model/path");
  }

  @Test
  void refusesUnknownServicesWithModelNotFound() {
    assertThatThrownBy(() -> host.describe("team/none"))
        .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("model_not_found"));
    assertThatThrownBy(() -> host.chat(hello("team/none")))
        .isInstanceOfSatisfying(NotFoundException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(404);
          assertThat(e.param()).isEqualTo("model");
          assertThat(e.getMessage()).isEqualTo("The model `team/none` does not exist or you do not have access to it.");
        });
  }

  @Test
  void refusesAnUnknownBackendListingTheAvailableOnes() {
    assertThatThrownBy(() -> host.deploy(spec("chat").backend("nope").build()))
        .isInstanceOf(BackendNotFoundException.class)
        .hasMessageContaining("'nope'")
        .hasMessageContaining(ScriptedBackend.NAME);
    assertThat(host.services()).isEmpty();
  }

  @Test
  void listsServicesByAccessPathAndAsModelsOwnedByTheirOwner() {
    host.deploy(ServiceSpec.builder("zeta", "b").backend(ScriptedBackend.NAME).location("s").build());
    host.deploy(ServiceSpec.builder("alpha", "a").backend(ScriptedBackend.NAME).location("s").build());

    assertThat(host.services()).extracting(ModelService::accessPath).containsExactly("alpha/a", "zeta/b");
    ModelList models = host.models();
    assertThat(models.object()).isEqualTo("list");
    assertThat(models.data()).extracting(ModelList.Model::id).containsExactly("alpha/a", "zeta/b");
    assertThat(models.data()).extracting(ModelList.Model::ownedBy).containsExactly("alpha", "zeta");
    assertThat(models.data()).allSatisfy(m -> {
      assertThat(m.object()).isEqualTo("model");
      assertThat(m.created()).isEqualTo(NOW.getEpochSecond());
    });
  }

  @Test
  void deleteNeedsTheServiceNameAsConfirmation() {
    host.deploy(spec("chat").build());

    assertThatThrownBy(() -> host.delete("team/chat", "team/chat"))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.param()).isEqualTo("confirm");
          assertThat(e.getMessage()).contains("`chat`");
        });
    assertThat(host.describe("team/chat").status()).isNotEqualTo(ServiceStatus.DELETING);
  }

  @Test
  void deleteLetsRequestsInFlightFinishThenClosesReplicasAndRuntime() throws Exception {
    host.deploy(spec("chat").replicas(2).build());
    host.awaitRunning("team/chat", Duration.ofSeconds(5));
    backend.holdExecutions();
    CompletableFuture<ChatCompletion> inFlight = CompletableFuture.supplyAsync(() -> host.chat(hello("team/chat")));
    assertThat(backend.awaitExecutionsStarted(1, Duration.ofSeconds(5))).isTrue();

    host.delete("team/chat", "chat");

    assertThat(host.describe("team/chat").status()).isEqualTo(ServiceStatus.DELETING);
    assertThatThrownBy(() -> host.chat(hello("team/chat"))).isInstanceOf(NotFoundException.class);
    assertThat(host.models().data()).isEmpty();
    ScriptedBackend.ScriptedRuntime runtime = backend.lastRuntime();
    assertThat(runtime.isClosed()).isFalse();

    backend.releaseExecutions();

    assertThat(inFlight.get(5, TimeUnit.SECONDS).firstContent()).isEqualTo(ScriptedBackend.DEFAULT_REPLY);
    Await.until("the runtime is closed", runtime::isClosed);
    assertThat(runtime.openReplicas()).isZero();
    Await.until("the service is gone", () -> host.services().isEmpty());
    assertThatThrownBy(() -> host.describe("team/chat")).isInstanceOf(NotFoundException.class);
  }

  @Test
  void deletingWhileLoadingClosesTheModelOnceLoaded() {
    backend.holdLoad();
    host.deploy(spec("chat").build());

    host.delete("team/chat", "chat");
    backend.releaseLoad();

    Await.until("the service is gone", () -> host.services().isEmpty());
    assertThat(backend.lastRuntime().isClosed()).isTrue();
    assertThat(backend.lastRuntime().openReplicas()).isZero();
  }

  @Test
  void aServiceScaledToZeroRefusesRequestsAsOverloaded() {
    host.deploy(spec("chat").build());
    host.awaitRunning("team/chat", Duration.ofSeconds(5));

    host.scale("team/chat", 0);

    Await.until("the replica is closed", () -> backend.lastRuntime().openReplicas() == 0);
    ModelService parked = host.describe("team/chat");
    assertThat(parked.status()).isEqualTo(ServiceStatus.RUNNING);
    assertThat(parked.replicas()).isZero();
    assertThatThrownBy(() -> host.chat(hello("team/chat")))
        .isInstanceOfSatisfying(OverloadedException.class, e -> assertThat(e.retryAfter()).isPositive());
  }

  @Test
  void closingTheHostCancelsWhatIsStillRunningAfterTheGracePeriod() {
    ScriptedBackend slow = new ScriptedBackend();
    ModelHost impatient = ModelHost.builder().backend(slow).shutdownGrace(Duration.ofMillis(20)).build();
    impatient.deploy(spec("chat").source(new ModelSource("script",
        Map.of("reply", String.join(" ", Collections.nCopies(500, "word"))))).build());
    impatient.awaitRunning("team/chat", Duration.ofSeconds(5));
    // Nobody reads: the stream becomes backlogged and the replica waits for a reader.
    ResponseStream<?> unread = impatient.streamChat(hello("team/chat"));

    impatient.close();

    assertThat(slow.lastRuntime().isClosed()).isTrue();
    assertThat(slow.lastRuntime().openReplicas()).isZero();
    assertThatThrownBy(() -> unread.forEachRemaining(chunk -> { })).isInstanceOf(RequestCancelledException.class);
  }

  @Test
  void closingTheHostDeletesEveryServiceAndRefusesFurtherUse() {
    host.deploy(spec("one").build());
    host.deploy(spec("two").build());
    host.awaitRunning("team/one", Duration.ofSeconds(5));
    host.awaitRunning("team/two", Duration.ofSeconds(5));

    host.close();

    assertThat(backend.runtimes()).hasSize(2).allSatisfy(r -> {
      assertThat(r.isClosed()).isTrue();
      assertThat(r.openReplicas()).isZero();
    });
    assertThatThrownBy(() -> host.chat(hello("team/one"))).isInstanceOf(IllegalStateException.class);
  }
}
