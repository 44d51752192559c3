package dev.modelhost.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.ModelHost;
import dev.modelhost.ModelService;
import dev.modelhost.ServiceSpec;
import dev.modelhost.ServiceStatus;
import dev.modelhost.api.ChatCompletion;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Services whose location is a hub model id, served by the ONNX backend through {@link ModelHost}. */
class HubServiceTest {

  private static final String REPO = "modelhost/tiny-random";
  private static final Duration LOAD = Duration.ofSeconds(60);

  @TempDir Path cache;
  private LoopbackHub hub;

  @BeforeEach
  void publish() throws Exception {
    hub = new LoopbackHub().publish(REPO, DefaultModel.TINY_RANDOM.directory());
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  @Test
  void servesAModelStraightFromTheHubAndFromTheCacheAfterARestart() {
    try (ModelHost host = host()) {
      host.deploy(spec("hf:" + REPO));
      ModelService running = host.awaitRunning("acme/tiny", LOAD);

      assertThat(running.location()).isEqualTo("hf:" + REPO);
      assertThat(running.pullProgress()).isNull();
      assertThat(chat(host).usage().completionTokens()).isEqualTo(3);
    }
    // Only what the ONNX backend reads was downloaded: not the safetensors weights.
    assertThat(hub.requests).anyMatch(r -> r.startsWith("cdn GET"))
        .noneMatch(r -> r.contains("model.safetensors"));
    assertThat(cache.resolve("models--modelhost--tiny-random/snapshots/" + LoopbackHub.COMMIT + "/model.safetensors"))
        .doesNotExist();

    hub.requests.clear();
    try (ModelHost host = host()) {
      host.deploy(spec("hf:" + REPO));
      host.awaitRunning("acme/tiny", LOAD);
      assertThat(chat(host).usage().completionTokens()).isEqualTo(3);
    }
    assertThat(hub.requests).containsExactly("hub GET /api/models/modelhost/tiny-random/revision/main");
  }

  @Test
  void showsThePullWhileCreatingAndCancelsItWhenTheServiceIsDeleted() {
    hub.hold();
    try (ModelHost host = host()) {
      host.deploy(spec("hf:" + REPO));
      Await.until("the pull shows progress", () -> {
        ModelService creating = host.describe("acme/tiny");
        return creating.status() == ServiceStatus.CREATING && creating.pullProgress() != null
            && creating.pullProgress().bytesDone() > 0;
      });
      ModelService creating = host.describe("acme/tiny");
      assertThat(creating.pullProgress().filesTotal()).isEqualTo(5);
      assertThat(creating.pullProgress().bytesTotal()).isGreaterThan(creating.pullProgress().bytesDone());

      host.delete("acme/tiny", "tiny");

      Await.until("the service is gone", () -> host.services().isEmpty());
      assertThatThrownBy(() -> host.describe("acme/tiny")).isInstanceOf(NotFoundException.class);
    }
    Path blobs = cache.resolve("models--modelhost--tiny-random/blobs");
    assertThat(blobs.toFile().list()).anyMatch(name -> name.endsWith(".incomplete"));
  }

  @Test
  void failsTheServiceWithAReasonAUserUnderstands() throws Exception {
    hub.publish("acme/no-onnx", Map.of("tokenizer.json", "{}".getBytes(StandardCharsets.UTF_8),
        "model.safetensors", new byte[16]));
    try (ModelHost host = host()) {
      host.deploy(ServiceSpec.builder("acme", "missing").backend("onnx").location("hf:acme/missing").build());
      host.deploy(ServiceSpec.builder("acme", "unservable").backend("onnx").location("hf:acme/no-onnx").build());

      assertThat(awaitFailed(host, "acme/missing").statusReason())
          .isEqualTo("model load failed: hf:acme/missing was not found on " + hub.endpoint() + ".");
      assertThat(awaitFailed(host, "acme/unservable").statusReason())
          .contains("'model.onnx'", "not found in the model's repository", "Found: no .onnx file");
    }
    assertThat(Files.exists(cache.resolve("models--acme--no-onnx/blobs"))).isFalse();
  }

  private static ModelService awaitFailed(ModelHost host, String path) {
    Await.until(path + " fails", LOAD, () -> host.describe(path).status() == ServiceStatus.FAILED);
    return host.describe(path);
  }

  private ModelHost host() {
    HubSettings settings = HubSettings.builder(cache).endpoint(hub.endpoint()).retryBackoff(Duration.ofMillis(10)).build();
    return ModelHost.builder().fetcher(new HubModelFetcher(settings)).build();
  }

  private static ServiceSpec spec(String location) {
    return ServiceSpec.builder("acme", "tiny").backend("onnx").source(new ModelSource(location, Map.of("threads", "1")))
        .build();
  }

  private static ChatCompletion chat(ModelHost host) {
    return host.chat(ChatCompletionRequest.builder("acme/tiny").addMessage(ChatMessage.user("Hello"))
        .maxTokens(3).temperature(0.0).build());
  }
}
