package dev.modelhost.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ModelFetcher.FileChooser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache layout checked against Hugging Face's own client: what {@code huggingface_hub}'s
 * {@code snapshot_download} puts in a cache is served here without a download, and what this
 * module puts there is found by {@code huggingface_hub} offline. Needs a Python with
 * {@code huggingface_hub} named by {@code MODELHOST_HF_PYTHON}; {@code .ci/run} provides one when
 * the machine has the package's wheel, and the test says it is skipped otherwise.
 */
class HuggingFaceHubInteropTest {

  private static final String PYTHON = System.getenv("MODELHOST_HF_PYTHON");
  private static final String REPO = "acme/interop";
  private static final byte[] WEIGHTS = new byte[1 << 20];
  private static final FileChooser ALL = available -> available;

  static {
    new Random(3).nextBytes(WEIGHTS);
  }

  @TempDir Path cache;
  private LoopbackHub hub;

  @BeforeEach
  void publish() throws IOException {
    assumeTrue(PYTHON != null && !PYTHON.isBlank(),
        "MODELHOST_HF_PYTHON is not set: no Python with huggingface_hub to compare the cache layout with");
    hub = new LoopbackHub().publish(REPO, Map.of(
        "config.json", "{\"model_type\":\"llama\"}".getBytes(StandardCharsets.UTF_8),
        "tokenizer.json", "{}".getBytes(StandardCharsets.UTF_8),
        "onnx/model.onnx", WEIGHTS));
  }

  @AfterEach
  void stop() {
    if (hub != null) {
      hub.close();
    }
  }

  @Test
  void servesWhatHuggingFaceHubDownloadedWithoutDownloadingAgain() throws Exception {
    List<String> printed = python("""
        from huggingface_hub import snapshot_download
        print(snapshot_download("%s", cache_dir="%s"))
        """.formatted(REPO, cache), Map.of("HF_ENDPOINT", hub.endpoint().toString()));
    hub.requests.clear();

    Path snapshot = new HubModelFetcher(settings(false)).fetch("hf:" + REPO, ALL, p -> {}, new Cancellation());

    assertThat(snapshot).isEqualTo(Path.of(printed.get(printed.size() - 1)));
    assertThat(Files.readAllBytes(snapshot.resolve("onnx/model.onnx"))).isEqualTo(WEIGHTS);
    assertThat(hub.requests).containsExactly("hub GET /api/models/acme/interop/revision/main");
  }

  @Test
  void leavesACacheThatHuggingFaceHubReadsOffline() throws Exception {
    Path snapshot = new HubModelFetcher(settings(false)).fetch("hf:" + REPO, ALL, p -> {}, new Cancellation());

    List<String> printed = python("""
        import hashlib
        from huggingface_hub import snapshot_download, try_to_load_from_cache
        folder = snapshot_download("%s", cache_dir="%s", local_files_only=True)
        weights = try_to_load_from_cache("%s", "onnx/model.onnx", cache_dir="%s")
        print(folder)
        print(hashlib.sha256(open(weights, "rb").read()).hexdigest())
        """.formatted(REPO, cache, REPO, cache), Map.of("HF_HUB_OFFLINE", "1"));

    assertThat(printed.subList(printed.size() - 2, printed.size()))
        .containsExactly(snapshot.toString(), LoopbackHub.sha256(WEIGHTS));
  }

  private HubSettings settings(boolean offline) {
    return HubSettings.builder(cache).endpoint(hub.endpoint()).offline(offline).retryBackoff(Duration.ofMillis(10))
        .build();
  }

  /** The script's output lines (progress bars included). */
  private static List<String> python(String script, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(PYTHON, "-c", script).redirectErrorStream(true);
    builder.environment().putAll(env);
    builder.environment().put("HF_HUB_DISABLE_TELEMETRY", "1");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output.lines().map(String::strip).filter(line -> !line.isBlank()).toList();
  }
}
