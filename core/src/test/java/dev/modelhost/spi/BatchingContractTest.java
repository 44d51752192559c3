package dev.modelhost.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.ChoiceLogprobs.TokenLogprob;
import dev.modelhost.api.Usage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * A batching backend's promise: a request's answer is the same, token for token, whether it ran
 * alone or in one batch with seven other requests (whose prompts differ in length, fed in small
 * prefill chunks). Greedy requests show that batching does not change the model's numbers; seeded
 * sampling, a stop string and a logit bias on some of them show that each request keeps its own
 * sampler. A backend module extends this class from the {@code modelhost-core} test-jar.
 *
 * <p>The eight requests are held in one batch deterministically: each one's listener reports a
 * backlog after its first token until all eight have produced one, so from then on the replica
 * steps them together.
 */
public abstract class BatchingContractTest {

  private static final int REQUESTS = 8;
  private static final int MAX_TOKENS = 24;
  private static final String[] PROMPTS = {
    "Tell me a story.",
    "Hi",
    "What is the meaning of life, the universe and everything, in a few words?",
    "Fortune:",
    "Write a haiku about the sea.",
    "A penny saved",
    "Why is the sky blue? Explain it as you would to a child who asks many questions.",
    "Bye",
  };

  /** The backend's {@link BackendProvider#name()}. */
  protected abstract String backendName();

  /** The model to serve (options such as {@code threads} included). */
  protected abstract ModelSource modelSource();

  @Test
  void answersAreTheSameAloneAndInOneBatch() throws Exception {
    List<List<String>> alone = new ArrayList<>();
    try (ModelRuntime runtime = provider().load(modelSource())) {
      Replica replica = runtime.createReplica(0);
      for (int i = 0; i < REQUESTS; i++) {
        Collector collector = new Collector(null);
        replica.execute(new InferenceRequest.Chat("alone-" + i, request(i), new Cancellation()), collector);
        alone.add(collector.tokens);
      }
      replica.close();
    }
    ModelSource batched = modelSource().withOption("max-batch", String.valueOf(REQUESTS)).withOption("prefill-chunk", "7");
    List<Collector> together = new ArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(REQUESTS);
    try (ModelRuntime runtime = provider().load(batched)) {
      Replica replica = runtime.createReplica(0);
      assertThat(replica.capacity()).isEqualTo(REQUESTS);
      CountDownLatch joined = new CountDownLatch(REQUESTS);
      List<Future<?>> runs = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        Collector collector = new Collector(joined);
        together.add(collector);
        InferenceRequest request = new InferenceRequest.Chat("batched-" + i, request(i), new Cancellation());
        runs.add(threads.submit(() -> replica.execute(request, collector)));
      }
      for (Future<?> run : runs) {
        run.get(2, TimeUnit.MINUTES);
      }
      replica.close();
    } finally {
      threads.shutdownNow();
    }
    for (int i = 0; i < REQUESTS; i++) {
      assertThat(alone.get(i)).as("request %d alone", i).isNotEmpty();
      assertThat(together.get(i).tokens).as("request %d in a batch of %d", i, REQUESTS).isEqualTo(alone.get(i));
    }
  }

  private BackendProvider provider() {
    for (BackendProvider provider : ServiceLoader.load(BackendProvider.class)) {
      if (provider.name().equals(backendName())) {
        return provider;
      }
    }
    throw new AssertionError("No backend named " + backendName());
  }

  /** Greedy, except: 1 and 5 sample with their own seeds, 2 stops at "e", 6 has a logit bias. */
  private static ChatCompletionRequest request(int i) {
    ChatCompletionRequest.Builder builder = ChatCompletionRequest.builder("m")
        .addMessage(ChatMessage.user(PROMPTS[i]))
        .temperature(0.0)
        .maxTokens(MAX_TOKENS)
        .logprobs(true);
    if (i == 1 || i == 5) {
      builder.temperature(0.9).topP(0.95).seed(1000L + i);
    }
    if (i == 2) {
      builder.stop("e");
    }
    if (i == 6) {
      builder.logitBias(Map.of("32", -100.0, "33", -100.0, "100", 5.0));
    }
    return builder.build();
  }

  /** The tokens of one answer (from its logprobs), pausing after the first until every request has one. */
  private static final class Collector implements GenerationListener {
    final List<String> tokens = Collections.synchronizedList(new ArrayList<>());
    private final @Nullable CountDownLatch joined;

    Collector(@Nullable CountDownLatch joined) {
      this.joined = joined;
    }

    @Override
    public void onDelta(ChoiceDelta delta) {
      if (delta.logprobs() == null) {
        return;
      }
      boolean first = tokens.isEmpty();
      for (TokenLogprob token : delta.logprobs()) {
        tokens.add(token.token() + " " + token.bytes());
      }
      if (first && joined != null) {
        joined.countDown();
      }
    }

    @Override
    public boolean backlogged() {
      return joined != null && joined.getCount() > 0 && !tokens.isEmpty();
    }

    @Override
    public void onUsage(Usage usage, boolean estimated) {
      assertThat(usage.completionTokens()).isPositive();
    }
  }
}

