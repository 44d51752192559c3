package dev.modelhost.bench;

import dev.modelhost.ModelHost;
import dev.modelhost.ResponseStream;
import dev.modelhost.ServiceSpec;
import dev.modelhost.api.ChatCompletionChunk;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.exception.OverloadedException;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.testing.ScriptedBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Overload as callers see it: 64 clients, each sending its next request as soon as the last one
 * was answered or refused, against a service that serves far fewer (one replica of the scripted
 * backend, one request at a time, about 200 ms each; default queue of 64, 2 s request timeout).
 * Prints how many requests completed and were refused, why, and the refusal latency (from the call
 * to the exception) as p50/p99, apart for refusals at admission (the call itself throws) and
 * refusals of requests that had been queued (the stream fails).
 *
 * <pre>./mvnw -q -pl core -Poverload-bench process-test-classes [-Dbench.args="CLIENTS SECONDS"]</pre>
 */
public final class OverloadBenchmark {

  private OverloadBenchmark() {}

  public static void main(String[] args) throws Exception {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 64;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    ScriptedBackend backend = new ScriptedBackend();
    try (ModelHost host = ModelHost.builder().backend(backend).build()) {
      host.deploy(ServiceSpec.builder("bench", "overload")
          .backend(ScriptedBackend.NAME)
          .source(new ModelSource("script", Map.of("step-delay-ms", "20")))
          .requestTimeout(Duration.ofSeconds(2))
          .build());
      host.awaitRunning("bench/overload", Duration.ofSeconds(10));
      ChatCompletionRequest request = ChatCompletionRequest.builder("bench/overload").addMessage(ChatMessage.user("Hello")).build();

      AtomicInteger completed = new AtomicInteger();
      List<Long> atAdmission = Collections.synchronizedList(new ArrayList<>());
      List<Long> fromQueue = Collections.synchronizedList(new ArrayList<>());
      Map<String, AtomicInteger> reasons = new ConcurrentHashMap<>();
      long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
      ExecutorService threads = Executors.newFixedThreadPool(clients);
      CountDownLatch done = new CountDownLatch(clients);
      for (int c = 0; c < clients; c++) {
        threads.execute(() -> {
          try {
            while (System.nanoTime() < end) {
              long start = System.nanoTime();
              List<Long> refusals = atAdmission;
              try {
                ResponseStream<ChatCompletionChunk> stream = host.streamChat(request);
                refusals = fromQueue;
                stream.forEachRemaining(chunk -> { });
                completed.incrementAndGet();
              } catch (OverloadedException e) {
                refusals.add(System.nanoTime() - start);
                reasons.computeIfAbsent(reason(e), k -> new AtomicInteger()).incrementAndGet();
                sleepQuietly(Math.min(e.retryAfter().toMillis(), 250));
              }
            }
          } finally {
            done.countDown();
          }
        });
      }
      done.await();
      threads.shutdown();
      System.out.printf(Locale.ROOT, "%d clients, %d s: %d completed, %d refused %s%n",
          clients, seconds, completed.get(), atAdmission.size() + fromQueue.size(), reasons);
      List<Long> all = new ArrayList<>(atAdmission);
      all.addAll(fromQueue);
      print("all refusals", all);
      print("refused at admission", atAdmission);
      print("refused from the queue", fromQueue);
    }
  }

  private static void print(String label, List<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    if (!sorted.isEmpty()) {
      System.out.printf(Locale.ROOT, "%-24s %5d: p50 %8.2f ms, p99 %8.2f ms, max %8.2f ms%n", label, sorted.size(),
          percentile(sorted, 50), percentile(sorted, 99), sorted.get(sorted.size() - 1) / 1e6);
    }
  }

  private static String reason(OverloadedException e) {
    String message = e.getMessage();
    return message.contains("estimated wait") ? "estimated-wait"
        : message.contains("requests are waiting") ? "queue-full"
        : message.contains("waited more than") ? "deadline-passed" : "other";
  }

  private static double percentile(List<Long> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, index)) / 1e6;
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
