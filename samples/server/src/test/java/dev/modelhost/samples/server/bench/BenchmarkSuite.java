package dev.modelhost.samples.server.bench;

import dev.modelhost.backend.onnx.OnnxBackendProvider;
import dev.modelhost.backend.onnx.bench.PlainOnnxLoop;
import dev.modelhost.testing.ReplicaMemoryBench;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The benchmark suite: every performance target of the project measured side by side in one run
 * and printed with its target and whether it is met. Not a test; run it with
 * {@code tools/benchmark-suite} (which makes the benchmark model first), see BENCHMARKS.md.
 *
 * <p>Options: {@code --model DIR} (required, except for item 5 alone, which runs the default model: a
 * model with {@code model.onnx}, its quantized
 * variants and {@code model.safetensors}), {@code --threads N} (default: available processors),
 * {@code --prompt N} prompt tokens (32), {@code --tokens N} generated tokens per request (64),
 * {@code --runs N} (5), {@code --http-tokens N} tokens per streamed HTTP request (16),
 * {@code --plot FILE} (the PNG to write), {@code --option KEY=VALUE} (a service option for the
 * Modelhost services, repeatable; {@code prefill-chunk} defaults to 256), {@code --quick} (short
 * settings for trying the suite out), {@code --items 1,2,...} (only these items; default all).
 * The system property {@code bench.jlama}, when set, is the command that runs
 * {@code tools/jlama-peer/JlamaPeer.java} up to its arguments: Jlama joins item 6 as a peer.
 */
public final class BenchmarkSuite {

  private static final List<Integer> CLIENT_LEVELS = List.of(1, 8, 32);
  /** The service option that bounds the prompt tokens fed in one step. */
  private static final String PREFILL_CHUNK = "prefill-chunk";

  /** The suite's settings. */
  record Options(@Nullable Path model, int threads, int prompt, int tokens, int runs, int httpTokens, boolean quick,
      List<Integer> levels, Map<String, String> serviceOptions, Path plot, Set<Integer> items, List<String> jlama) {

    static Options parse(String[] args) {
      Path model = null;
      int threads = Runtime.getRuntime().availableProcessors();
      int prompt = 32;
      int tokens = 64;
      int runs = 5;
      int httpTokens = 16;
      boolean quick = false;
      Path plot = Path.of("target", "benchmark-concurrency.png");
      Map<String, String> serviceOptions = new LinkedHashMap<>();
      Set<Integer> items = Set.of(1, 2, 3, 4, 5, 6, 7);
      String jlamaCommand = System.getProperty("bench.jlama", "");
      List<String> jlama = jlamaCommand.isBlank() ? List.of() : List.of(jlamaCommand.trim().split(" +"));
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--model" -> model = Path.of(args[++i]);
          case "--threads" -> threads = Integer.parseInt(args[++i]);
          case "--prompt" -> prompt = Integer.parseInt(args[++i]);
          case "--tokens" -> tokens = Integer.parseInt(args[++i]);
          case "--runs" -> runs = Integer.parseInt(args[++i]);
          case "--http-tokens" -> httpTokens = Integer.parseInt(args[++i]);
          case "--plot" -> plot = Path.of(args[++i]);
          case "--items" -> items = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).collect(Collectors.toSet());
          case "--option" -> {
            String[] pair = args[++i].split("=", 2);
            serviceOptions.put(pair[0], pair[1]);
          }
          case "--quick" -> {
            quick = true;
            tokens = 8;
            runs = 2;
            httpTokens = 4;
          }
          default -> throw new IllegalArgumentException("Unknown option " + args[i]);
        }
      }
      if (model == null && !items.equals(Set.of(5))) {
        throw new IllegalArgumentException("--model DIR is required (tools/benchmark-suite makes one)");
      }
      // The prefill chunk is always set, so that the figures say which one they were taken with.
      serviceOptions.putIfAbsent(PREFILL_CHUNK, "256");
      return new Options(model, threads, prompt, tokens, runs, httpTokens, quick, List.of(1, 4, 8, 16),
          Map.copyOf(serviceOptions), plot, items, jlama);
    }
  }

  private BenchmarkSuite() {}

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    long started = System.nanoTime();
    String model = options.model() == null ? "none (item 5 runs the default model)" : String.format(Locale.ROOT,
        "%s (model.onnx %.0f MB)", options.model(), Files.size(options.model().resolve("model.onnx")) / 1e6);
    System.out.printf(Locale.ROOT, "Modelhost benchmark suite, %s%nmodel %s, %d intra-op threads, "
            + "%d CPUs, load average at start %s%nprompt %d tokens, %d tokens per request, %d runs%s, service options %s%n",
        Instant.now(), model, options.threads(),
        Runtime.getRuntime().availableProcessors(), loadAverage(), options.prompt(), options.tokens(), options.runs(),
        options.quick() ? " (--quick)" : "", options.serviceOptions());
    List<Verdict> verdicts = new ArrayList<>();
    LocalBench local = new LocalBench(options);

    if (options.items().contains(7)) {
      section("7. memory: one service with 1 and 4 replicas (process RSS after every replica served)");
      ReplicaMemoryBench.Result memory = ReplicaMemoryBench.print(OnnxBackendProvider.NAME, local.source());
      verdicts.add(Verdict.atMost("7. RSS 4 replicas / 1 replica", memory.replicaRatio(), 1.1, ""));
    }
    if (options.items().contains(1)) {
      section("1. single stream: decode tokens/s, ModelHost against the plain ORT loop");
      local.singleStream(verdicts);
    }
    LocalBench.Concurrency concurrency = new LocalBench.Concurrency(Map.of(), Map.of());
    if (options.items().contains(2)) {
      section("2. concurrent requests through ModelHost (one replica) against the plain loop batching them");
      concurrency = local.concurrency(verdicts);
    }
    if (options.items().contains(4)) {
      section("4. quantized weights: decode tokens/s of int8 and int4 against fp32 (plain loops)");
      local.quantized(verdicts);
    }
    if (options.items().contains(6)) {
      section("6. DJL decoder against the ONNX decoder, same weights, 1 and 8 sequences per step");
      local.djl(verdicts);
    }
    Map<Integer, Double> hostTtft = new LinkedHashMap<>();
    Map<Integer, Double> plainTtft = new LinkedHashMap<>();
    if (options.items().contains(3) || options.items().contains(5)) {
      section("3 and 5. over HTTP: the server program on loopback");
      http(options, local, verdicts, hostTtft, plainTtft);
    }
    if (options.items().containsAll(Set.of(2, 3))) {
      plot(options, concurrency, hostTtft, plainTtft);
    }

    section("summary");
    System.out.printf(Locale.ROOT, "%-80s %-30s %-10s %s%n", "item", "measured", "target", "verdict");
    for (Verdict verdict : verdicts) {
      System.out.printf(Locale.ROOT, "%-80s %-30s %-10s %s%n", verdict.item(), verdict.measured(), verdict.target(),
          verdict.verdict());
    }
    System.out.printf(Locale.ROOT, "%ntotal %.1f minutes, load average at end %s%n",
        (System.nanoTime() - started) / 6e10, loadAverage());
  }

  private static void http(Options options, LocalBench local, List<Verdict> verdicts, Map<Integer, Double> hostTtft,
      Map<Integer, Double> plainTtft) throws Exception {
    String prefill = PREFILL_CHUNK + " " + options.serviceOptions().get(PREFILL_CHUNK);
    if (options.items().contains(3)) {
      plainTtft.putAll(firstTokenOfBatches(options, local));
    }
    try (HttpBench http = new HttpBench(options)) {
      if (options.items().contains(3)) {
        http.load(1, local.prompts(1));
      }
      for (int clients : options.items().contains(3) ? CLIENT_LEVELS : List.<Integer>of()) {
        HttpBench.Load load = http.load(clients, local.prompts(clients));
        hostTtft.put(clients, load.ttftMillis().median());
        System.out.printf(Locale.ROOT, "%2d clients: TTFT %s; plain loop batch-%d first token %.0f ms%n", clients,
            HttpBench.describe(load), clients, plainTtft.get(clients));
        verdicts.add(Verdict.reported("3. TTFT over HTTP, " + clients + " clients (prefill: " + prefill + ")",
            String.format(Locale.ROOT, "p50 %.0f ms, p99 %.0f ms", load.ttftMillis().median(),
                load.ttftMillis().percentile(99))));
      }
      if (options.items().contains(5)) {
        HttpBench.Cost cost = options.quick() ? http.httpCost(100, 100) : http.httpCost(1500, 1000);
        System.out.printf(Locale.ROOT, "1-token completion on the default model: HTTP p50 %.2f ms (p90 %.2f), "
            + "in-process p50 %.2f ms (p90 %.2f); GET /v1/models p50 %.2f ms (p90 %.2f); the same completion with "
            + "OkHttp p50 %.2f ms (p90 %.2f) and with the JDK's HttpClient p50 %.2f ms (p90 %.2f)%n",
            cost.http().median(), cost.http().percentile(90), cost.inProcess().median(),
            cost.inProcess().percentile(90), cost.models().median(), cost.models().percentile(90),
            cost.okHttp().median(), cost.okHttp().percentile(90), cost.jdkHttp().median(),
            cost.jdkHttp().percentile(90));
        verdicts.add(Verdict.atMost("5. HTTP cost: p50 1-token completion, HTTP - in-process",
            cost.http().median() - cost.inProcess().median(), 1.0, " ms"));
        verdicts.add(Verdict.reported("5. HTTP floor: GET /v1/models p50 (no model, no usage record)",
            String.format(Locale.ROOT, "%.2f ms", cost.models().median())));
        verdicts.add(Verdict.reported("5. with OkHttp / the JDK's HttpClient as the client, HTTP - in-process p50",
            String.format(Locale.ROOT, "%.2f / %.2f ms", cost.okHttp().median() - cost.inProcess().median(),
                cost.jdkHttp().median() - cost.inProcess().median())));
      }
    }
  }

  private static void plot(Options options, LocalBench.Concurrency concurrency, Map<Integer, Double> hostTtft,
      Map<Integer, Double> plainTtft) throws IOException {
    Map<Integer, Double> hostSpeed = new LinkedHashMap<>();
    Map<Integer, Double> plainSpeed = new LinkedHashMap<>();
    concurrency.host().forEach((level, samples) -> hostSpeed.put(level, samples.median()));
    concurrency.plain().forEach((level, samples) -> plainSpeed.put(level, samples.median()));
    ConcurrencyPlot.write(options.plot(), String.format(Locale.ROOT,
            "%s, %d threads, %d CPUs: Modelhost (1 replica) and a plain batched ONNX Runtime loop",
            options.model().getFileName(), options.threads(), Runtime.getRuntime().availableProcessors()),
        List.of(ConcurrencyPlot.modelhost("Modelhost, N concurrent requests", hostSpeed),
            ConcurrencyPlot.plain("plain ORT loop, batch of N", plainSpeed)),
        List.of(ConcurrencyPlot.modelhost("Modelhost over HTTP, N streaming clients", hostTtft),
            ConcurrencyPlot.plain("plain ORT loop, prefill of a batch of N", plainTtft)));
    System.out.printf(Locale.ROOT, "%nplot written to %s%n", options.plot());
  }

  /** Milliseconds the plain loop takes to its first tokens for batches of 1, 8 and 32 prompts. */
  private static Map<Integer, Double> firstTokenOfBatches(Options options, LocalBench local) throws Exception {
    Map<Integer, Double> out = new LinkedHashMap<>();
    try (PlainOnnxLoop loop = PlainOnnxLoop.open(options.model(), options.threads())) {
      loop.greedyBatch(local.prompts(1), 1);
      for (int clients : CLIENT_LEVELS) {
        double[] millis = new double[3];
        for (int run = 0; run < millis.length; run++) {
          millis[run] = loop.greedyBatch(local.prompts(clients), 1).prefillNanos() / 1e6;
        }
        out.put(clients, Samples.of(millis).median());
      }
    }
    return out;
  }

  private static void section(String title) {
    System.out.printf(Locale.ROOT, "%n== %s ==%n", title);
  }

  private static String loadAverage() throws IOException {
    Path file = Path.of("/proc/loadavg");
    return Files.exists(file) ? String.join(" ", List.of(Files.readString(file).trim().split(" ")).subList(0, 3)) : "n/a";
  }
}
