package dev.modelhost.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.PullProgress;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ModelFetcher.FileChooser;
import dev.modelhost.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubModelFetcherTest {

  private static final String REPO = "acme/tiny";
  private static final byte[] CONFIG = "{\"model_type\":\"llama\"}\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] TOKENIZER = "{\"version\":\"1.0\"}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] WEIGHTS = randomBytes(3 << 20, 1);
  private static final byte[] QUANTIZED = randomBytes(1 << 20, 2);
  private static final FileChooser WEIGHTS_AND_CONFIG =
      available -> List.of("config.json", "tokenizer.json", "onnx/model.onnx");

  @TempDir Path cache;
  private LoopbackHub hub;

  @BeforeEach
  void publish() throws Exception {
    hub = new LoopbackHub().publish(REPO, Map.of(
        "config.json", CONFIG,
        "tokenizer.json", TOKENIZER,
        "onnx/model.onnx", WEIGHTS,
        "onnx/model_q4.onnx", QUANTIZED,
        "README.md", "# tiny\n".getBytes(StandardCharsets.UTF_8)));
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  @Test
  void downloadsOnlyTheChosenFilesIntoTheHubCacheLayout() throws Exception {
    List<PullProgress> progress = new CopyOnWriteArrayList<>();

    Path snapshot = fetcher(settings()).fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, progress::add, new Cancellation());

    Path repo = cache.resolve("models--acme--tiny");
    assertThat(snapshot).isEqualTo(repo.resolve("snapshots").resolve(LoopbackHub.COMMIT));
    assertThat(Files.readString(repo.resolve("refs/main"))).isEqualTo(LoopbackHub.COMMIT);
    String weightsEtag = LoopbackHub.sha256(WEIGHTS);
    String configEtag = LoopbackHub.gitBlobId(CONFIG);
    assertThat(repo.resolve("blobs").toFile().list())
        .containsExactlyInAnyOrder(weightsEtag, configEtag, LoopbackHub.gitBlobId(TOKENIZER));
    assertThat(Files.readSymbolicLink(snapshot.resolve("onnx/model.onnx")))
        .isEqualTo(Path.of("../../../blobs/" + weightsEtag));
    assertThat(Files.readSymbolicLink(snapshot.resolve("config.json"))).isEqualTo(Path.of("../../blobs/" + configEtag));
    assertThat(Files.readAllBytes(snapshot.resolve("onnx/model.onnx"))).isEqualTo(WEIGHTS);
    assertThat(snapshot.resolve("onnx/model_q4.onnx")).doesNotExist();
    assertThat(snapshot.resolve("README.md")).doesNotExist();

    PullProgress last = progress.get(progress.size() - 1);
    long total = WEIGHTS.length + CONFIG.length + TOKENIZER.length;
    assertThat(last).isEqualTo(new PullProgress(total, total, 3, 3));
    assertThat(hub.requests).noneMatch(r -> r.startsWith("cdn") && r.endsWith("auth"));
  }

  @Test
  void reusesTheCacheWithoutDownloadingAgainAndSharesBlobsBetweenPaths() throws Exception {
    fetcher(settings()).fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, p -> {}, new Cancellation());
    hub.requests.clear();

    Path snapshot = fetcher(settings()).fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, p -> {}, new Cancellation());

    assertThat(Files.readAllBytes(snapshot.resolve("onnx/model.onnx"))).isEqualTo(WEIGHTS);
    assertThat(hub.requests).containsExactly("hub GET /api/models/acme/tiny/revision/main");
  }

  @Test
  void resumesATransferThatBrokeWithARangeRequest() throws Exception {
    hub.cutOnce("onnx/model.onnx");

    Path snapshot = fetcher(settings()).fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, p -> {}, new Cancellation());

    assertThat(Files.readAllBytes(snapshot.resolve("onnx/model.onnx"))).isEqualTo(WEIGHTS);
    List<String> transfers = hub.requests.stream().filter(r -> r.startsWith("cdn GET")).toList();
    assertThat(transfers).hasSize(2);
    assertThat(transfers.get(0)).doesNotContain("bytes=");
    assertThat(transfers.get(1)).matches("cdn GET /blobs/\\w+ bytes=\\d+-").doesNotContain("bytes=0-");
  }

  @Test
  void refusesACorruptDownloadAndDeletesThePartialFile() throws Exception {
    hub.corrupt("onnx/model.onnx");

    assertThatThrownBy(() -> fetcher(settings()).fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, p -> {}, new Cancellation()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("onnx/model.onnx")
        .hasMessageContaining("corrupt")
        .hasMessageContaining("SHA-256");
    Path blobs = cache.resolve("models--acme--tiny/blobs");
    String etag = LoopbackHub.sha256(WEIGHTS);
    assertThat(blobs.resolve(etag)).doesNotExist();
    assertThat(blobs.resolve(etag + ".incomplete")).doesNotExist();
  }

  @Test
  void refusesAFileTheDiskCannotHoldBeforeDownloadingIt() {
    hub.claimSize("onnx/model.onnx", 1L << 60);

    assertThatThrownBy(() -> fetcher(settings()).fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, p -> {}, new Cancellation()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("Not enough disk space for hf:acme/tiny file 'onnx/model.onnx'")
        .hasMessageContaining("HF_HUB_CACHE");
    assertThat(hub.count("cdn GET")).isZero();
  }

  @Test
  void retriesWhenTheHubAnswers429() throws Exception {
    hub.tooManyRequests(2);

    Path snapshot = fetcher(settings()).fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, p -> {}, new Cancellation());

    assertThat(snapshot.resolve("config.json")).exists();
    assertThat(hub.count("hub GET /api/models/")).isEqualTo(3);
  }

  @Test
  void saysThatATokenIsNeededAndSendsItOnlyToTheHub() throws Exception {
    hub.requireToken("hf_secret");

    assertThatThrownBy(() -> fetcher(settings()).fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, p -> {}, new Cancellation()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("needs a token")
        .hasMessageContaining("HF_TOKEN");
    assertThatThrownBy(() -> fetcher(settings().toBuilder().token("hf_wrong").build())
        .fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, p -> {}, new Cancellation()))
        .hasMessageContaining("refused the token")
        .hasMessageNotContaining("hf_wrong");

    Path snapshot = fetcher(settings().toBuilder().token("hf_secret").build())
        .fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, p -> {}, new Cancellation());

    assertThat(Files.readAllBytes(snapshot.resolve("onnx/model.onnx"))).isEqualTo(WEIGHTS);
    assertThat(hub.requests).filteredOn(r -> r.startsWith("hub") && r.contains("/resolve/")).allMatch(r -> r.endsWith("auth"));
    assertThat(hub.requests).filteredOn(r -> r.startsWith("cdn")).isNotEmpty().noneMatch(r -> r.endsWith("auth"));
  }

  @Test
  void servesFromTheCacheOfflineAndSaysWhenAModelIsNotThere() throws Exception {
    assertThatThrownBy(() -> fetcher(settings().toBuilder().offline(true).build())
        .fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, p -> {}, new Cancellation()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("hf:acme/tiny is not in the model cache")
        .hasMessageContaining("HF_HUB_OFFLINE is set");
    assertThat(hub.requests).isEmpty();

    fetcher(settings()).fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, p -> {}, new Cancellation());
    hub.requests.clear();
    Path snapshot = fetcher(settings().toBuilder().offline(true).build())
        .fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, p -> {}, new Cancellation());

    assertThat(Files.readAllBytes(snapshot.resolve("onnx/model.onnx"))).isEqualTo(WEIGHTS);
    assertThat(hub.requests).isEmpty();
  }

  @Test
  void servesFromTheCacheWhenTheHubCannotBeReached() throws Exception {
    fetcher(settings()).fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, p -> {}, new Cancellation());
    HubSettings unreachable = settings().toBuilder().endpoint(java.net.URI.create("http://127.0.0.1:9")).maxAttempts(1).build();

    Path snapshot = fetcher(unreachable).fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, p -> {}, new Cancellation());

    assertThat(snapshot.resolve("config.json")).exists();
    assertThatThrownBy(() -> fetcher(unreachable).fetch("hf:acme/other", WEIGHTS_AND_CONFIG, p -> {}, new Cancellation()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("Cannot reach the hub at http://127.0.0.1:9");
  }

  @Test
  void downloadsAModelOnceWhenTwoPullsRunAtOnce() throws Exception {
    hub.hold();
    HubModelFetcher fetcher = fetcher(settings());
    CompletableFuture<Path> first = CompletableFuture.supplyAsync(
        () -> fetcher.fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, p -> {}, new Cancellation()));
    CompletableFuture<Path> second = CompletableFuture.supplyAsync(
        () -> fetcher(settings()).fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, p -> {}, new Cancellation()));
    Await.until("a transfer is under way", () -> hub.count("cdn GET") == 1);

    hub.release();

    assertThat(Files.readAllBytes(first.get().resolve("onnx/model.onnx"))).isEqualTo(WEIGHTS);
    assertThat(Files.readAllBytes(second.get().resolve("onnx/model.onnx"))).isEqualTo(WEIGHTS);
    assertThat(hub.count("cdn GET")).isEqualTo(1);
  }

  @Test
  void stopsWhenCancelledAndKeepsThePartialFileForLater() throws Exception {
    hub.hold();
    Cancellation cancellation = new Cancellation();
    List<PullProgress> progress = new CopyOnWriteArrayList<>();
    CompletableFuture<Path> pull = CompletableFuture.supplyAsync(
        () -> fetcher(settings()).fetch("hf:" + REPO, WEIGHTS_AND_CONFIG, progress::add, cancellation));
    Await.until("half the weights arrived", () -> !progress.isEmpty()
        && progress.get(progress.size() - 1).bytesDone() >= WEIGHTS.length / 2);

    cancellation.cancel();

    assertThatThrownBy(pull::join).hasCauseInstanceOf(RequestCancelledException.class);
    hub.release();
    assertThat(cache.resolve("models--acme--tiny/blobs/" + LoopbackHub.sha256(WEIGHTS) + ".incomplete")).exists();
  }

  @Test
  void namesWhatIsMissingInTheHubsOwnTerms() {
    assertThatThrownBy(() -> fetcher(settings()).fetch("hf:acme/nothing", WEIGHTS_AND_CONFIG, p -> {}, new Cancellation()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("hf:acme/nothing was not found on " + hub.endpoint() + ".");
    assertThatThrownBy(() -> fetcher(settings()).fetch("hf:acme/../x", WEIGHTS_AND_CONFIG, p -> {}, new Cancellation()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("Invalid model id 'hf:acme/../x'");
    FileChooser refusing = available -> {
      throw new ModelLoadException("nothing to serve among " + available);
    };
    assertThatThrownBy(() -> fetcher(settings()).fetch("hf:" + REPO, refusing, p -> {}, new Cancellation()))
        .hasMessageContaining("nothing to serve among [README.md, config.json, onnx/model.onnx, onnx/model_q4.onnx,"
            + " tokenizer.json]");
  }

  private HubSettings settings() {
    return HubSettings.builder(cache).endpoint(hub.endpoint()).retryBackoff(Duration.ofMillis(10))
        .idleTimeout(Duration.ofSeconds(5)).build();
  }

  private static HubModelFetcher fetcher(HubSettings settings) {
    return new HubModelFetcher(settings);
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
