package dev.modelhost.testing;

import dev.modelhost.ModelHost;
import dev.modelhost.ServiceSpec;
import dev.modelhost.api.Completion;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.api.Prompt;
import dev.modelhost.spi.ModelSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * The concurrency scenario the local backends' benchmark programs print: {@code concurrency}
 * greedy completions of {@code tokens} tokens each (different prompts, end of sequence banned) on
 * one replica, sent one by one and then all at once, alternately for {@code runs} rounds. The ratio
 * of the two times is what continuous batching buys: 1.0 means concurrent requests wait for each
 * other, N means N requests cost what one costs.
 */
public final class ConcurrencyBench {

  private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(5);

  private ConcurrencyBench() {}

  /**
   * Runs the scenario and prints aggregate tokens/s one by one and concurrently, and their ratio.
   *
   * @param eosIds token ids to ban so that every answer has exactly {@code tokens} tokens
   */
  public static void print(String backend, ModelSource source, Set<Integer> eosIds, int concurrency, int promptTokens,
      int tokens, int runs) throws Exception {
    try (ModelHost host = ModelHost.builder().build()) {
      host.deploy(ServiceSpec.builder("bench", "concurrency").backend(backend).source(source).replicas(1).build());
      String service = host.awaitRunning("bench/concurrency", LOAD_TIMEOUT).accessPath();
      Map<String, Double> bias = eosIds.stream().collect(Collectors.toMap(String::valueOf, id -> -100.0));
      List<CompletionRequest> requests = new ArrayList<>();
      for (int r = 0; r < concurrency; r++) {
        int[] prompt = new int[promptTokens];
        for (int i = 0; i < prompt.length; i++) {
          prompt[i] = 100 + (i * 37 + r * 101) % 1500;
        }
        requests.add(new CompletionRequest(service, Prompt.ofTokens(prompt), null, tokens, 0.0, null, null, null, null,
            null, null, null, null, null, null, bias, null, null, null, null, null));
      }
      ExecutorService threads = Executors.newFixedThreadPool(concurrency);
      try {
        sequential(host, requests, tokens);
        concurrent(host, requests, tokens, threads);
        double[] oneByOne = new double[runs];
        double[] together = new double[runs];
        double[] ratios = new double[runs];
        for (int run = 0; run < runs; run++) {
          double sequentialSeconds = sequential(host, requests, tokens);
          double concurrentSeconds = concurrent(host, requests, tokens, threads);
          oneByOne[run] = concurrency * tokens / sequentialSeconds;
          together[run] = concurrency * tokens / concurrentSeconds;
          ratios[run] = sequentialSeconds / concurrentSeconds;
        }
        System.out.printf(Locale.ROOT, "%n%d requests x %d tokens (prompt %d), one replica, median of %d rounds:%n",
            concurrency, tokens, promptTokens, runs);
        System.out.printf(Locale.ROOT, "one by one   %8.1f tok/s  %s%n", median(oneByOne), format(oneByOne));
        System.out.printf(Locale.ROOT, "concurrently %8.1f tok/s  %s%n", median(together), format(together));
        System.out.printf(Locale.ROOT, "ratio concurrent/one-by-one %.2f  %s%n", median(ratios), format(ratios));
      } finally {
        threads.shutdownNow();
      }
    }
  }

  private static double sequential(ModelHost host, List<CompletionRequest> requests, int tokens) {
    long start = System.nanoTime();
    for (CompletionRequest request : requests) {
      check(host.complete(request), tokens);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static double concurrent(ModelHost host, List<CompletionRequest> requests, int tokens, ExecutorService threads)
      throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Completion>> answers = new ArrayList<>();
    for (CompletionRequest request : requests) {
      answers.add(threads.submit(() -> {
        go.await();
        return host.complete(request);
      }));
    }
    long start = System.nanoTime();
    go.countDown();
    for (Future<Completion> answer : answers) {
      check(answer.get(), tokens);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static void check(Completion completion, int tokens) {
    if (completion.usage().completionTokens() != tokens) {
      throw new IllegalStateException("Expected " + tokens + " tokens, got " + completion.usage().completionTokens());
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  private static String format(double[] values) {
    return Arrays.stream(values).mapToObj(v -> String.format(Locale.ROOT, "%.2f", v)).collect(Collectors.joining(" ", "[", "]"));
  }
}
