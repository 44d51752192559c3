package dev.modelhost.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.ChoiceLogprobs.TokenLogprob;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.engine.ContinuousBatchingTest.Listener;
import dev.modelhost.engine.internal.TestModels;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.exception.KvCacheBudgetExceededException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ChoiceDelta;
import dev.modelhost.spi.InferenceRequest;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.spi.Replica;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code kv-cache-tokens} budget: sequences join a replica's step loop only while what their
 * KV caches can come to hold (prompt plus completion limit) fits, in the order they came, and give
 * their reservation back when they end however they end; a sequence that could never fit is
 * refused at once.
 */
class KvCacheBudgetTest {

  private static final int VOCAB = 2048;
  private static final int WINDOW = 4096;
  private static final int MAX_TOKENS = 12;
  /** How long a request that must wait is given to show that it does not start. */
  private static final long WAITS_MILLIS = 300;

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
    closeRuntime();
  }

  private void closeRuntime() {
    if (runtime != null) {
      runtime.close();
      assertThat(decoder.openStates.get()).as("KV caches left open").isZero();
      runtime = null;
    }
  }

  /** A replica whose decoder makes every token equally likely, so that each seed writes its own answer. */
  private Replica load(Map<String, String> options) {
    closeRuntime();
    LocalBackendProviderTest.ScriptedProvider provider = new LocalBackendProviderTest.ScriptedProvider(
        dir -> new ScriptedDecoder(VOCAB, WINDOW, Set.of(), new int[0], 300, 0f));
    runtime = provider.load(new ModelSource(modelDir.toString(), options));
    decoder = provider.decoder;
    return runtime.createReplica(0);
  }

  private Replica loadBudget(int tokens) {
    return load(Map.of("kv-cache-tokens", String.valueOf(tokens)));
  }

  private static ChatCompletionRequest.Builder question(String text, long seed) {
    return ChatCompletionRequest.builder("m").addMessage(ChatMessage.user(text)).seed(seed).temperature(1.0).logprobs(true);
  }

  private static ChatCompletionRequest request(String text, int maxTokens, long seed) {
    return question(text, seed).maxTokens(maxTokens).build();
  }

  private Future<?> start(Replica replica, ChatCompletionRequest request, Listener listener, Cancellation cancellation) {
    return threads.submit(() -> replica.execute(new InferenceRequest.Chat("r", request, cancellation), listener));
  }

  /** The tokens a listener received, in order. */
  private static List<String> tokens(Listener listener) {
    List<String> tokens = new ArrayList<>();
    synchronized (listener.deltas) {
      for (ChoiceDelta delta : listener.deltas) {
        if (delta.logprobs() != null) {
          delta.logprobs().stream().map(TokenLogprob::token).forEach(tokens::add);
        }
      }
    }
    return tokens;
  }

  /** A listener that reports a backlog after its first token until {@code held} is counted down. */
  private static Listener heldAfterFirstToken(CountDownLatch firstToken, CountDownLatch held) {
    Listener listener = new Listener();
    listener.onFirst = firstToken::countDown;
    listener.pausedUntil = held;
    return listener;
  }

  /** Waits until the request threads have created {@code states} KV caches, so their requests reach the loop. */
  private void awaitStates(int states) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (decoder.openStates.get() < states) {
      assertThat(System.nanoTime()).as("KV caches created in time").isLessThan(deadline);
      Thread.sleep(5);
    }
    Thread.sleep(WAITS_MILLIS);
  }

  @Test
  void aThirdSequenceWaitsUntilOneOfTwoFinishesThenAnswersAsItDoesAlone() throws Exception {
    List<ChatCompletionRequest> requests = List.of(
        request("Question A", MAX_TOKENS, 1), request("Question B", MAX_TOKENS, 2), request("Question C", MAX_TOKENS, 3));
    Replica replica = load(Map.of());
    List<List<String>> alone = new ArrayList<>();
    int prompt = -1;
    for (ChatCompletionRequest request : requests) {
      Listener listener = new Listener();
      replica.execute(new InferenceRequest.Chat("alone", request, new Cancellation()), listener);
      alone.add(tokens(listener));
      int tokens = listener.usages.get(0).promptTokens();
      assertThat(prompt).as("the three prompts are as long").isIn(-1, tokens);
      prompt = tokens;
    }
    assertThat(alone.get(0)).as("the seeds write different answers").isNotEqualTo(alone.get(1));
    int each = prompt + MAX_TOKENS;
    // Room for two sequences and half of a third.
    replica = loadBudget(2 * each + each / 2);

    CountDownLatch twoStarted = new CountDownLatch(2);
    CountDownLatch holdA = new CountDownLatch(1);
    CountDownLatch holdB = new CountDownLatch(1);
    Listener a = heldAfterFirstToken(twoStarted, holdA);
    Listener b = heldAfterFirstToken(twoStarted, holdB);
    Future<?> runA = start(replica, requests.get(0), a, new Cancellation());
    Future<?> runB = start(replica, requests.get(1), b, new Cancellation());
    assertThat(twoStarted.await(10, TimeUnit.SECONDS)).isTrue();

    Listener c = new Listener();
    AtomicBoolean aHadFinished = new AtomicBoolean();
    c.onFirst = () -> aHadFinished.set(a.finishReason() != null);
    Future<?> runC = start(replica, requests.get(2), c, new Cancellation());
    awaitStates(3);
    assertThat(c.deltas).as("the third waits while two hold the budget").isEmpty();
    assertThat(decoder.prompts).as("prompts fed").hasSize(2);

    holdA.countDown();
    runA.get(10, TimeUnit.SECONDS);
    runC.get(10, TimeUnit.SECONDS);
    assertThat(aHadFinished).as("the third started after the first had finished").isTrue();
    assertThat(b.finishReason()).as("the second, still held, ran beside the third").isNull();
    holdB.countDown();
    runB.get(10, TimeUnit.SECONDS);

    assertThat(decoder.batchSizes).isNotEmpty().allMatch(size -> size <= 2);
    assertThat(List.of(tokens(a), tokens(b), tokens(c))).isEqualTo(alone);
    for (Listener listener : List.of(a, b, c)) {
      assertThat(listener.finishReason()).isEqualTo("length");
    }
  }

  @Test
  void aLargeWaitingRequestIsNotOvertakenByALaterSmallOne() throws Exception {
    Replica replica = load(Map.of());
    Listener probe = new Listener();
    replica.execute(new InferenceRequest.Chat("probe", request("Small one", 1, 1), new Cancellation()), probe);
    int small = probe.usages.get(0).promptTokens() + MAX_TOKENS;
    // Two small sequences fit together; the large one fits alone, not beside a small one.
    int budget = 2 * small;
    replica = loadBudget(budget);
    int largePrompt = probe.usages.get(0).promptTokens();
    int largeLimit = budget - largePrompt - 1;

    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch holdFirst = new CountDownLatch(1);
    Listener first = heldAfterFirstToken(firstStarted, holdFirst);
    Future<?> runFirst = start(replica, request("Small one", MAX_TOKENS, 1), first, new Cancellation());
    assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
    Listener large = new Listener();
    Future<?> runLarge = start(replica, request("Small one", largeLimit, 2), large, new Cancellation());
    awaitStates(2);
    Listener later = new Listener();
    AtomicBoolean largeHadFinished = new AtomicBoolean();
    later.onFirst = () -> largeHadFinished.set(large.finishReason() != null);
    Future<?> runLater = start(replica, request("Small one", MAX_TOKENS, 3), later, new Cancellation());
    awaitStates(3);
    assertThat(later.deltas).as("the later small request would fit, but waits behind the large one").isEmpty();

    holdFirst.countDown();
    for (Future<?> run : List.of(runFirst, runLarge, runLater)) {
      run.get(10, TimeUnit.SECONDS);
    }
    assertThat(large.usages.get(0).completionTokens()).isEqualTo(largeLimit);
    assertThat(largeHadFinished).as("the later one started after the large one had finished").isTrue();
  }

  @Test
  void aCancelledRequestGivesItsReservationBack() throws Exception {
    Replica replica = load(Map.of());
    Listener probe = new Listener();
    replica.execute(new InferenceRequest.Chat("probe", request("Question", 1, 1), new Cancellation()), probe);
    replica = loadBudget(probe.usages.get(0).promptTokens() + MAX_TOKENS);

    CountDownLatch firstToken = new CountDownLatch(1);
    Listener cancelled = heldAfterFirstToken(firstToken, new CountDownLatch(1));
    Cancellation cancellation = new Cancellation();
    Future<?> cancelledRun = start(replica, request("Question", MAX_TOKENS, 1), cancelled, cancellation);
    assertThat(firstToken.await(10, TimeUnit.SECONDS)).isTrue();
    Listener next = new Listener();
    Future<?> nextRun = start(replica, request("Question", MAX_TOKENS, 2), next, new Cancellation());
    awaitStates(2);
    assertThat(next.deltas).as("the budget holds one sequence").isEmpty();

    cancellation.cancel();
    assertThatThrownBy(() -> cancelledRun.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(RequestCancelledException.class);
    nextRun.get(10, TimeUnit.SECONDS);
    assertThat(next.finishReason()).isEqualTo("length");
    assertThat(next.usages.get(0).completionTokens()).isEqualTo(MAX_TOKENS);
  }

  @Test
  void aFailedRequestGivesItsReservationBack() throws Exception {
    Replica replica = load(Map.of());
    Listener probe = new Listener();
    replica.execute(new InferenceRequest.Chat("probe", request("Question", 1, 1), new Cancellation()), probe);
    replica = loadBudget(probe.usages.get(0).promptTokens() + MAX_TOKENS);

    CountDownLatch firstToken = new CountDownLatch(1);
    CountDownLatch holdFailing = new CountDownLatch(1);
    Listener failing = heldAfterFirstToken(firstToken, holdFailing);
    failing.failAtDelta = 2;
    Future<?> failingRun = start(replica, request("Question", MAX_TOKENS, 1), failing, new Cancellation());
    assertThat(firstToken.await(10, TimeUnit.SECONDS)).isTrue();
    Listener next = new Listener();
    Future<?> nextRun = start(replica, request("Question", MAX_TOKENS, 2), next, new Cancellation());
    awaitStates(2);
    assertThat(next.deltas).as("the budget holds one sequence").isEmpty();

    holdFailing.countDown();
    assertThatThrownBy(() -> failingRun.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(BackendException.class);
    nextRun.get(10, TimeUnit.SECONDS);
    assertThat(next.usages.get(0).completionTokens()).isEqualTo(MAX_TOKENS);
  }

  @Test
  void aSequenceLargerThanTheBudgetIsRefusedNamingTheParameterThatMakesItSo() {
    Replica replica = load(Map.of());
    Listener probe = new Listener();
    replica.execute(new InferenceRequest.Chat("probe", request("Question", 1, 1), new Cancellation()), probe);
    int prompt = probe.usages.get(0).promptTokens();
    int budget = prompt + 20;
    Replica bounded = loadBudget(budget);

    assertThatThrownBy(() -> execute(bounded, request("Question", 21, 1)))
        .isInstanceOfSatisfying(KvCacheBudgetExceededException.class, e -> {
          assertThat(e.param()).isEqualTo("max_tokens");
          assertThat(e.code()).isEqualTo("context_length_exceeded");
          assertThat(e.httpStatus()).isEqualTo(400);
          assertThat(e.budget()).isEqualTo(budget);
          assertThat(e.requested()).isEqualTo(prompt + 21);
          assertThat(e.getMessage()).contains("kv-cache-tokens", "set max_tokens to at most 20");
        });
    assertThatThrownBy(() -> execute(bounded, question("Question", 1).maxCompletionTokens(21).build()))
        .isInstanceOfSatisfying(KvCacheBudgetExceededException.class,
            e -> assertThat(e.param()).isEqualTo("max_completion_tokens"));
    assertThatThrownBy(() -> execute(bounded, question("Question", 1).build()))
        .as("without max_tokens the completion may fill the context window")
        .isInstanceOfSatisfying(KvCacheBudgetExceededException.class, e -> {
          assertThat(e.param()).isEqualTo("max_tokens");
          assertThat(e.requested()).isEqualTo(WINDOW);
          assertThat(e.getMessage()).contains("max_tokens was not given");
        });
    assertThatThrownBy(() -> execute(bounded, request("Question" + " and more".repeat(20), 1, 1)))
        .isInstanceOfSatisfying(KvCacheBudgetExceededException.class, e -> {
          assertThat(e.param()).isEqualTo("messages");
          assertThat(e.getMessage()).contains("reduce the length of the messages");
        });
    CompletionRequest longPrompt = CompletionRequest.of("m", "word ".repeat(budget), 1);
    assertThatThrownBy(() -> bounded.execute(new InferenceRequest.Text("r", longPrompt, new Cancellation()), new Listener()))
        .isInstanceOfSatisfying(KvCacheBudgetExceededException.class, e -> assertThat(e.param()).isEqualTo("prompt"));
    assertThat(decoder.batchSizes).as("nothing refused was stepped").isEmpty();

    Listener fits = execute(bounded, request("Question", 20, 1));
    assertThat(fits.usages.get(0).completionTokens()).isEqualTo(20);
  }

  @Test
  void choicesThatFitOneByOneButNotTogetherTakeTurns() {
    Replica replica = load(Map.of());
    Listener probe = new Listener();
    replica.execute(new InferenceRequest.Chat("probe", request("Question", 1, 1), new Cancellation()), probe);
    Replica bounded = loadBudget(2 * (probe.usages.get(0).promptTokens() + MAX_TOKENS));

    Listener listener = execute(bounded, question("Question", 1).maxTokens(MAX_TOKENS).n(5).build());
    for (int i = 0; i < 5; i++) {
      assertThat(listener.finishReason(i)).isEqualTo("length");
    }
    assertThat(listener.usages.get(0).completionTokens()).isEqualTo(5 * MAX_TOKENS);
    assertThat(decoder.batchSizes).isNotEmpty().allMatch(size -> size <= 2);
  }

  private static Listener execute(Replica replica, ChatCompletionRequest request) {
    Listener listener = new Listener();
    replica.execute(new InferenceRequest.Chat("r", request, new Cancellation()), listener);
    return listener;
  }

  @Test
  void badBudgetsAreRefusedNamingTheOption() {
    for (String bad : List.of("0", "-5", "many", "2147483648", "1.5")) {
      assertThatThrownBy(() -> load(Map.of("kv-cache-tokens", bad)))
          .as(bad)
          .isInstanceOfSatisfying(ConfigurationException.class, e -> {
            assertThat(e.param()).isEqualTo("options.kv-cache-tokens");
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.getMessage()).contains("'kv-cache-tokens' must be a whole number of tokens", "'" + bad + "'");
          });
    }
    runtime = null;
    assertThat(new LocalBackendProviderTest.ScriptedProvider(dir -> null).optionNames()).contains("kv-cache-tokens");
    assertThat(load(Map.of("kv-cache-tokens", " 4096 ")).capacity()).as("max-batch still bounds the requests").isEqualTo(8);
  }
}
