package dev.modelhost.backend.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.ModelHost;
import dev.modelhost.ServiceSpec;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.ChoiceLogprobs.TokenLogprob;
import dev.modelhost.api.ErrorMapper;
import dev.modelhost.api.Json;
import dev.modelhost.api.Usage;
import dev.modelhost.backend.onnx.internal.OnnxDecoder;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.exception.KvCacheBudgetExceededException;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ChoiceDelta;
import dev.modelhost.spi.GenerationListener;
import dev.modelhost.spi.InferenceRequest;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.spi.Replica;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The {@code kv-cache-tokens} option on the default model in ONNX Runtime, from deployment to answer. */
class KvCacheBudgetOnnxTest {

  private static final int MAX_TOKENS = 16;
  private static final String[] QUESTIONS = {"Tell me a fortune.", "What will today bring?", "Any luck for me?"};

  private static ModelSource source(Map<String, String> options) {
    Map<String, String> all = new HashMap<>(options);
    all.put("threads", "1");
    return new ModelSource(DefaultModel.FORTUNE_LLAMA.directory().toString(), all);
  }

  private static ChatCompletionRequest.Builder ask(String question) {
    return ChatCompletionRequest.builder("test/fortunes").addMessage(ChatMessage.user(question)).temperature(0.0).logprobs(true);
  }

  @Test
  void aServiceRefusesARequestLargerThanItsBudgetWith400NamingMaxTokens() {
    try (ModelHost host = ModelHost.builder().build()) {
      host.deploy(ServiceSpec.builder("test", "fortunes").backend(OnnxBackendProvider.NAME)
          .source(source(Map.of("kv-cache-tokens", "100"))).build());
      host.awaitRunning("test/fortunes", Duration.ofMinutes(2));

      int prompt = host.chat(ask(QUESTIONS[0]).maxTokens(4).build()).usage().promptTokens();
      assertThatThrownBy(() -> host.chat(ask(QUESTIONS[0]).maxTokens(101 - prompt).build()))
          .isInstanceOfSatisfying(KvCacheBudgetExceededException.class, e -> {
            ErrorMapper.MappedError error = ErrorMapper.map(e);
            assertThat(error.status()).isEqualTo(400);
            JsonNode body = Json.mapper().readTree(ErrorMapper.toJson(error)).get("error");
            assertThat(body.get("param").asString()).isEqualTo("max_tokens");
            assertThat(body.get("code").asString()).isEqualTo("context_length_exceeded");
            assertThat(body.get("message").asString()).contains("at most 100 tokens", "set max_tokens to at most " + (100 - prompt));
          });
      assertThat(host.chat(ask(QUESTIONS[0]).maxTokens(100 - prompt).build()).usage().totalTokens())
          .as("a request that fits the budget exactly runs")
          .isLessThanOrEqualTo(100);
    }
  }

  @Test
  void aThirdRequestWaitsForTheBudgetAndAllAnswerAsTheyDoAlone() throws Exception {
    OnnxBackendProvider provider = new OnnxBackendProvider();
    List<List<String>> alone = new ArrayList<>();
    List<Integer> reservations = new ArrayList<>();
    try (ModelRuntime runtime = provider.load(source(Map.of()))) {
      Replica replica = runtime.createReplica(0);
      for (String question : QUESTIONS) {
        Collector collector = new Collector(null);
        replica.execute(new InferenceRequest.Chat("alone", ask(question).maxTokens(MAX_TOKENS).build(), new Cancellation()), collector);
        alone.add(collector.tokens);
        reservations.add(collector.usage.promptTokens() + MAX_TOKENS);
      }
      replica.close();
    }
    // Room for any two of the three, never for all three.
    int budget = 2 * Collections.max(reservations);
    assertThat(reservations.stream().mapToInt(Integer::intValue).sum()).isGreaterThan(budget);
    ExecutorService threads = Executors.newFixedThreadPool(QUESTIONS.length);
    try (ModelRuntime runtime = provider.load(source(Map.of("kv-cache-tokens", String.valueOf(budget))))) {
      Replica replica = runtime.createReplica(0);
      CountDownLatch twoStarted = new CountDownLatch(2);
      CountDownLatch holdFirst = new CountDownLatch(1);
      CountDownLatch holdSecond = new CountDownLatch(1);
      Collector first = new Collector(holdFirst);
      Collector second = new Collector(holdSecond);
      first.onFirst = twoStarted::countDown;
      second.onFirst = twoStarted::countDown;
      Collector third = new Collector(null);
      List<Collector> collectors = List.of(first, second, third);
      List<Future<?>> runs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        InferenceRequest request = new InferenceRequest.Chat("r" + i, ask(QUESTIONS[i]).maxTokens(MAX_TOKENS).build(), new Cancellation());
        Collector collector = collectors.get(i);
        runs.add(threads.submit(() -> replica.execute(request, collector)));
      }
      assertThat(twoStarted.await(30, TimeUnit.SECONDS)).isTrue();
      InferenceRequest last = new InferenceRequest.Chat("r2", ask(QUESTIONS[2]).maxTokens(MAX_TOKENS).build(), new Cancellation());
      runs.add(threads.submit(() -> replica.execute(last, third)));
      Thread.sleep(500);
      assertThat(third.tokens).as("the third waits while the first two hold the budget").isEmpty();

      holdFirst.countDown();
      runs.get(0).get(30, TimeUnit.SECONDS);
      runs.get(2).get(30, TimeUnit.SECONDS);
      assertThat(second.usage).as("the second, still held, ran beside the third").isNull();
      holdSecond.countDown();
      runs.get(1).get(30, TimeUnit.SECONDS);
      assertThat(collectors.stream().map(c -> c.tokens).toList()).isEqualTo(alone);
      replica.close();
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void theDecoderReportsTheKvBytesOfATokenFromTheGraph() {
    try (OnnxDecoder decoder = OnnxDecoder.load(ModelDirectory.open(DefaultModel.FORTUNE_LLAMA.directory()), source(Map.of()))) {
      // 4 layers × 2 KV heads × head size 32 × key and value × 4 bytes (float32).
      assertThat(decoder.kvBytesPerToken()).isEqualTo(4 * 2 * 32 * 2 * 4);
    }
  }

  /** Collects the tokens of one request; reports a backlog after its first token until {@code held} is counted down. */
  private static final class Collector implements GenerationListener {
    final List<String> tokens = Collections.synchronizedList(new ArrayList<>());
    private final @Nullable CountDownLatch held;
    volatile @Nullable Runnable onFirst;
    volatile @Nullable Usage usage;

    Collector(@Nullable CountDownLatch held) {
      this.held = held;
    }

    @Override
    public void onDelta(ChoiceDelta delta) {
      if (delta.logprobs() == null) {
        return;
      }
      boolean first = tokens.isEmpty();
      for (TokenLogprob token : delta.logprobs()) {
        tokens.add(token.token());
      }
      Runnable hook = onFirst;
      if (first && hook != null) {
        hook.run();
      }
    }

    @Override
    public boolean backlogged() {
      return held != null && held.getCount() > 0 && !tokens.isEmpty();
    }

    @Override
    public void onUsage(Usage usage, boolean estimated) {
      this.usage = usage;
    }
  }
}
