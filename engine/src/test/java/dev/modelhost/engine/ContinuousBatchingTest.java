package dev.modelhost.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.Usage;
import dev.modelhost.engine.internal.TestModels;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ChoiceDelta;
import dev.modelhost.spi.GenerationListener;
import dev.modelhost.spi.InferenceRequest;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.spi.Replica;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One replica's step loop with several requests at once: they share steps, join and leave at step
 * boundaries, and one request's reader, failure or cancellation never holds up the others.
 */
class ContinuousBatchingTest {

  private static final int VOCAB = 2048;

  @TempDir Path temp;
  private Path modelDir;
  private @Nullable ModelRuntime runtime;
  private @Nullable ScriptedDecoder decoder;
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @BeforeEach
  void copyModel() {
    modelDir = TestModels.copy(TestModels.BYTE_LEVEL, temp.resolve("model"));
  }

  @AfterEach
  void close() throws InterruptedException {
    threads.shutdownNow();
    assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    if (runtime != null) {
      runtime.close();
      assertThat(decoder.openStates.get()).as("KV caches left open").isZero();
    }
  }

  private Replica load(Map<String, String> options) {
    LocalBackendProviderTest.ScriptedProvider provider = new LocalBackendProviderTest.ScriptedProvider(
        dir -> new ScriptedDecoder(VOCAB, 4096, Set.of(), new int[0], 300, 20f));
    runtime = provider.load(new ModelSource(modelDir.toString(), options));
    decoder = provider.decoder;
    return runtime.createReplica(0);
  }

  private static ChatCompletionRequest request(String text, int maxTokens) {
    return ChatCompletionRequest.builder("m").addMessage(ChatMessage.user(text)).maxTokens(maxTokens).seed(7L).build();
  }

  private Future<?> start(Replica replica, ChatCompletionRequest request, Listener listener, Cancellation cancellation) {
    return threads.submit(() -> replica.execute(new InferenceRequest.Chat("r", request, cancellation), listener));
  }

  @Test
  void capacityIsTheMaxBatchOption() {
    assertThat(load(Map.of()).capacity()).isEqualTo(8);
    runtime.close();
    assertThat(load(Map.of("max-batch", "3")).capacity()).isEqualTo(3);
  }

  @Test
  void batchOptionsOutOfRangeAreRefusedNamingTheOption() {
    assertThatThrownBy(() -> load(Map.of("max-batch", "0")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'max-batch' must be from 1 to 1024")
        .satisfies(e -> assertThat(((ConfigurationException) e).param()).isEqualTo("options.max-batch"));
    assertThatThrownBy(() -> load(Map.of("prefill-chunk", "0")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'prefill-chunk' must be from 1");
    runtime = null;
  }

  @Test
  void concurrentRequestsShareDecoderSteps() throws Exception {
    Replica replica = load(Map.of());
    // Each request pauses after its first token until all four have joined; then they step together.
    CountDownLatch joined = new CountDownLatch(4);
    CountDownLatch go = new CountDownLatch(1);
    List<Listener> listeners = new ArrayList<>();
    List<Future<?>> runs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Listener listener = new Listener();
      listener.onFirst = joined::countDown;
      listener.pausedUntil = go;
      listeners.add(listener);
      runs.add(start(replica, request("Question " + i, 6), listener, new Cancellation()));
    }
    assertThat(joined.await(10, TimeUnit.SECONDS)).isTrue();
    go.countDown();
    for (Future<?> run : runs) {
      run.get(10, TimeUnit.SECONDS);
    }
    assertThat(decoder.batchSizes).contains(4);
    for (Listener listener : listeners) {
      assertThat(listener.finishReason()).isEqualTo("length");
      assertThat(listener.usages).hasSize(1);
      assertThat(listener.usages.get(0).completionTokens()).isEqualTo(6);
    }
  }

  @Test
  void aPausedReaderDoesNotStallTheOthers() throws Exception {
    Replica replica = load(Map.of());
    Listener slow = new Listener();
    CountDownLatch firstToken = new CountDownLatch(1);
    CountDownLatch reading = new CountDownLatch(1);
    slow.onFirst = firstToken::countDown;
    slow.pausedUntil = reading;
    Future<?> slowRun = start(replica, request("slow", 20), slow, new Cancellation());
    assertThat(firstToken.await(10, TimeUnit.SECONDS)).isTrue();

    Listener fast = new Listener();
    replica.execute(new InferenceRequest.Chat("fast", request("fast", 30), new Cancellation()), fast);
    assertThat(fast.finishReason()).isEqualTo("length");
    assertThat(fast.usages.get(0).completionTokens()).isEqualTo(30);
    assertThat(slow.deltas).as("the slow stream sat out while its reader was behind").hasSize(1);

    reading.countDown();
    slowRun.get(10, TimeUnit.SECONDS);
    assertThat(slow.finishReason()).isEqualTo("length");
    assertThat(slow.usages.get(0).completionTokens()).isEqualTo(20);
  }

  @Test
  void aFailureInOneRequestEndsThatRequestOnly() throws Exception {
    Replica replica = load(Map.of());
    Listener failing = new Listener();
    CountDownLatch firstToken = new CountDownLatch(1);
    CountDownLatch otherJoined = new CountDownLatch(1);
    failing.onFirst = firstToken::countDown;
    failing.pausedUntil = otherJoined;
    failing.failAtDelta = 4;
    Future<?> failingRun = start(replica, request("failing", 20), failing, new Cancellation());
    assertThat(firstToken.await(10, TimeUnit.SECONDS)).isTrue();

    Listener other = new Listener();
    other.onFirst = otherJoined::countDown;
    replica.execute(new InferenceRequest.Chat("other", request("other", 12), new Cancellation()), other);

    assertThat(other.finishReason()).isEqualTo("length");
    assertThat(other.usages.get(0).completionTokens()).isEqualTo(12);
    assertThatThrownBy(() -> failingRun.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(BackendException.class)
        .cause().hasMessage("Generating the answer failed.");
    assertThat(failing.usages).isEmpty();
    assertThat(decoder.batchSizes).as("both were stepped together before the failure").contains(2);
  }

  @Test
  void aCancelledRequestLeavesWhileTheOthersGoOn() throws Exception {
    Replica replica = load(Map.of());
    Cancellation cancellation = new Cancellation();
    Listener cancelled = new Listener();
    CountDownLatch firstToken = new CountDownLatch(1);
    CountDownLatch otherJoined = new CountDownLatch(1);
    cancelled.onFirst = firstToken::countDown;
    cancelled.pausedUntil = otherJoined;
    Future<?> cancelledRun = start(replica, request("cancelled", 4000), cancelled, cancellation);
    assertThat(firstToken.await(10, TimeUnit.SECONDS)).isTrue();

    Listener other = new Listener();
    other.onFirst = () -> {
      cancellation.cancel();
      otherJoined.countDown();
    };
    replica.execute(new InferenceRequest.Chat("other", request("other", 10), new Cancellation()), other);

    assertThat(other.usages.get(0).completionTokens()).isEqualTo(10);
    assertThatThrownBy(() -> cancelledRun.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(RequestCancelledException.class);
    assertThat(cancelled.finishReason()).isNull();
    assertThat(cancelled.deltas).as("cancelled while it sat out").hasSize(1);
  }

  @Test
  void noStepRunsMoreSequencesThanTheMaxBatch() {
    Replica replica = load(Map.of("max-batch", "2"));
    Listener listener = new Listener();
    ChatCompletionRequest request = ChatCompletionRequest.builder("m").addMessage(ChatMessage.user("Hi")).n(5).maxTokens(3).seed(7L).build();
    replica.execute(new InferenceRequest.Chat("r", request, new Cancellation()), listener);
    assertThat(decoder.batchSizes).isNotEmpty().allMatch(size -> size <= 2);
    for (int i = 0; i < 5; i++) {
      assertThat(listener.finishReason(i)).isEqualTo("length");
    }
    assertThat(listener.usages.get(0).completionTokens()).isEqualTo(15);
  }

  @Test
  void longPromptsAreFedInChunksWhileRunningStreamsKeepDecoding() throws Exception {
    Replica replica = load(Map.of("prefill-chunk", "4"));
    Listener running = new Listener();
    CountDownLatch firstToken = new CountDownLatch(1);
    CountDownLatch longJoined = new CountDownLatch(1);
    running.onFirst = firstToken::countDown;
    running.pausedUntil = longJoined;
    Future<?> runningRun = start(replica, request("x", 200), running, new Cancellation());
    assertThat(firstToken.await(10, TimeUnit.SECONDS)).isTrue();
    int stepsBefore = decoder.stepTokens.size();
    // The running stream resumes once the first chunk of the long prompt is being read.
    decoder.beforeStep = batch -> {
      if (batch.stream().anyMatch(step -> step.tokens().length > 1)) {
        longJoined.countDown();
      }
    };

    Listener joining = new Listener();
    replica.execute(new InferenceRequest.Chat("long", request("a long question ".repeat(8), 1), new Cancellation()), joining);
    runningRun.get(10, TimeUnit.SECONDS);

    List<int[]> steps = decoder.stepTokens.subList(stepsBefore, decoder.stepTokens.size());
    int promptSteps = 0;
    int sharedPromptSteps = 0;
    for (int[] step : steps) {
      int prompt = 0;
      for (int tokens : step) {
        prompt += tokens > 1 ? tokens : 0;
      }
      assertThat(prompt).as("prompt tokens in one step").isLessThanOrEqualTo(4);
      promptSteps += prompt > 0 ? 1 : 0;
      sharedPromptSteps += prompt > 0 && step.length == 2 ? 1 : 0;
    }
    assertThat(joining.usages.get(0).promptTokens()).isGreaterThan(20);
    assertThat(promptSteps).as("the long prompt took several steps").isGreaterThan(5);
    assertThat(sharedPromptSteps).as("steps that fed a prompt chunk and decoded the running stream").isGreaterThan(3);
    assertThat(running.usages.get(0).completionTokens()).isEqualTo(200);
  }

  /** Records one request's output; can pause (report a backlog) and fail on purpose. */
  static final class Listener implements GenerationListener {
    final List<ChoiceDelta> deltas = Collections.synchronizedList(new ArrayList<>());
    final List<Usage> usages = Collections.synchronizedList(new ArrayList<>());
    volatile @Nullable Runnable onFirst;
    volatile @Nullable CountDownLatch pausedUntil;
    volatile int failAtDelta = -1;

    @Override
    public void onDelta(ChoiceDelta delta) {
      deltas.add(delta);
      if (deltas.size() == failAtDelta) {
        throw new IllegalStateException("listener fault");
      }
      Runnable first = onFirst;
      if (deltas.size() == 1 && first != null) {
        first.run();
      }
    }

    @Override
    public boolean backlogged() {
      CountDownLatch latch = pausedUntil;
      return latch != null && latch.getCount() > 0 && !deltas.isEmpty();
    }

    @Override
    public void onUsage(Usage usage, boolean estimated) {
      usages.add(usage);
    }

    @Nullable String finishReason() {
      return finishReason(0);
    }

    @Nullable String finishReason(int index) {
      synchronized (deltas) {
        return deltas.stream().filter(d -> d.index() == index && d.finishReason() != null)
            .map(ChoiceDelta::finishReason).findFirst().orElse(null);
      }
    }
  }
}
