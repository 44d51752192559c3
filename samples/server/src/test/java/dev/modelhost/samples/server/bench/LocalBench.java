package dev.modelhost.samples.server.bench;

import dev.modelhost.ModelHost;
import dev.modelhost.ServiceSpec;
import dev.modelhost.api.Completion;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.backend.djl.bench.DjlBenchmark;
import dev.modelhost.backend.djl.internal.DjlDecoderLoader;
import dev.modelhost.backend.djl.internal.LlamaDecoder;
import dev.modelhost.backend.onnx.OnnxBackendProvider;
import dev.modelhost.backend.onnx.bench.DecodeBenchmark;
import dev.modelhost.backend.onnx.bench.PlainOnnxLoop;
import dev.modelhost.backend.onnx.internal.OnnxDecoder;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.spi.ModelSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The in-process measurements: ModelHost against plain ONNX Runtime loops on the same model and
 * threads (single stream and N concurrent requests against one batched call per step), the
 * quantized variants against fp32, and the DJL decoder against the ONNX one. Each pair is measured
 * interleaved, run by run, so that machine noise hits both sides alike.
 */
final class LocalBench {

  private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(5);
  /** Queued requests wait as long as the slowest level takes on a loaded machine: no refusals. */
  static final Duration QUEUE_TIMEOUT = Duration.ofMinutes(30);
  private static final List<String> VARIANTS = List.of("model.onnx", "model_int8.onnx", "model_q4.onnx");

  private final BenchmarkSuite.Options options;

  LocalBench(BenchmarkSuite.Options options) {
    this.options = options;
  }

  /** Aggregate tokens/s per concurrency level, for ModelHost and the plain batched loop. */
  record Concurrency(Map<Integer, Samples> host, Map<Integer, Samples> plain) {}

  /** Item 1: single-stream decode tokens/s, ModelHost over the plain loop (decode only, prefill excluded). */
  Samples singleStream(List<Verdict> verdicts) throws Exception {
    int[] prompt = prompts(1)[0];
    double[] plain = new double[options.runs()];
    double[] host = new double[options.runs()];
    try (PlainOnnxLoop loop = PlainOnnxLoop.open(options.model(), options.threads());
        ModelHost modelHost = ModelHost.builder().build()) {
      String service = deploy(modelHost, "single");
      CompletionRequest full = DecodeBenchmark.greedyRequest(service, options.model(), prompt, options.tokens() + 1);
      CompletionRequest single = DecodeBenchmark.greedyRequest(service, options.model(), prompt, 1);
      loop.greedy(prompt, 4);
      modelHost.complete(single);
      for (int run = 0; run < options.runs(); run++) {
        plain[run] = options.tokens() / (loop.greedy(prompt, options.tokens() + 1).decodeNanos() / 1e9);
        host[run] = DecodeBenchmark.hostDecode(modelHost, full, single, options.tokens());
      }
    }
    Samples ratio = ratios(host, plain);
    System.out.printf(Locale.ROOT, "plain ORT loop      %s tok/s%nModelHost + onnx    %s tok/s%nratio (per run)     %s%n",
        Samples.of(plain).describe(1), Samples.of(host).describe(1), ratio.describe(3));
    verdicts.add(Verdict.atLeast("1. single stream, ModelHost / plain ORT loop (ratio of medians)",
        Samples.of(host).median() / Samples.of(plain).median(), 0.97));
    return ratio;
  }

  /**
   * Item 2: N concurrent greedy requests through ModelHost (one replica) against the plain loop
   * stepping the same N prompts as one batch; aggregate tokens/s end to end (prefill included).
   */
  Concurrency concurrency(List<Verdict> verdicts) throws Exception {
    Map<Integer, double[]> host = new LinkedHashMap<>();
    Map<Integer, double[]> plain = new LinkedHashMap<>();
    int runs = Math.max(2, options.runs() / 2);
    ExecutorService clients = Executors.newFixedThreadPool(options.levels().stream().mapToInt(i -> i).max().orElse(1));
    try (PlainOnnxLoop loop = PlainOnnxLoop.open(options.model(), options.threads());
        ModelHost modelHost = ModelHost.builder().build()) {
      String service = deploy(modelHost, "concurrency");
      loop.greedyBatch(prompts(2), 2);
      concurrent(modelHost, service, clients, 2, 2);
      for (int run = 0; run < runs; run++) {
        for (int level : options.levels()) {
          long start = System.nanoTime();
          loop.greedyBatch(prompts(level), options.tokens());
          plain.computeIfAbsent(level, k -> new double[runs])[run] =
              level * options.tokens() / ((System.nanoTime() - start) / 1e9);
          host.computeIfAbsent(level, k -> new double[runs])[run] =
              concurrent(modelHost, service, clients, level, options.tokens());
        }
      }
    } finally {
      clients.shutdown();
    }
    Map<Integer, Samples> hostSamples = new LinkedHashMap<>();
    Map<Integer, Samples> plainSamples = new LinkedHashMap<>();
    System.out.printf(Locale.ROOT, "%-8s %-32s %-32s %s%n", "requests", "plain batched loop tok/s", "ModelHost tok/s",
        "ratio (per run)");
    for (int level : options.levels()) {
      hostSamples.put(level, Samples.of(host.get(level)));
      plainSamples.put(level, Samples.of(plain.get(level)));
      System.out.printf(Locale.ROOT, "%-8d %-32s %-32s %s%n", level, plainSamples.get(level).describe(1),
          hostSamples.get(level).describe(1), ratios(host.get(level), plain.get(level)).describe(3));
      double ratio = hostSamples.get(level).median() / plainSamples.get(level).median();
      String item = "2. " + level + " concurrent, ModelHost (1 replica) / plain ORT batch-" + level;
      if (level == 8) {
        verdicts.add(Verdict.atLeast(item, ratio, 0.9));
      } else if (level > 1) {
        verdicts.add(Verdict.reported(item, String.format(Locale.ROOT, "%.3f", ratio)));
      }
    }
    return new Concurrency(hostSamples, plainSamples);
  }

  /**
   * Item 4: single-stream decode tokens/s of the int8 and int4 files against fp32, in plain loops
   * (the target) and through ModelHost with the service option {@code variant}.
   */
  void quantized(List<Verdict> verdicts) throws Exception {
    List<String> files = VARIANTS.stream().filter(f -> Files.exists(options.model().resolve(f))).toList();
    if (files.size() < VARIANTS.size()) {
      verdicts.add(Verdict.reported("4. quantized variants", "missing: run tools/default-model/quantize.py"));
      return;
    }
    int[] prompt = prompts(1)[0];
    Map<String, double[]> speed = new LinkedHashMap<>();
    List<PlainOnnxLoop> loops = new ArrayList<>();
    try {
      for (String file : files) {
        loops.add(PlainOnnxLoop.open(options.model(), file, options.threads()));
        speed.put(file, new double[options.runs()]);
      }
      for (PlainOnnxLoop loop : loops) {
        loop.greedy(prompt, 4);
      }
      for (int run = 0; run < options.runs(); run++) {
        for (int i = 0; i < files.size(); i++) {
          speed.get(files.get(i))[run] =
              options.tokens() / (loops.get(i).greedy(prompt, options.tokens() + 1).decodeNanos() / 1e9);
        }
      }
    } finally {
      for (PlainOnnxLoop loop : loops) {
        loop.close();
      }
    }
    double[] fp32 = speed.get("model.onnx");
    for (String file : files) {
      System.out.printf(Locale.ROOT, "%-16s %8.1f MB  %s tok/s  ratio to fp32 (per run) %s%n", file,
          Files.size(options.model().resolve(file)) / 1e6, Samples.of(speed.get(file)).describe(1),
          ratios(speed.get(file), fp32).describe(3));
    }
    Map<String, double[]> served = servedVariants(prompt);
    for (Map.Entry<String, double[]> variant : served.entrySet()) {
      System.out.printf(Locale.ROOT, "ModelHost, variant %-5s %s tok/s  ratio to fp32 (per run) %s%n", variant.getKey(),
          Samples.of(variant.getValue()).describe(1), ratios(variant.getValue(), served.get("fp32")).describe(3));
    }
    double servedFp32 = Samples.of(served.get("fp32")).median();
    verdicts.add(Verdict.reported("4. through ModelHost (option variant): q4 / fp32, int8 / fp32",
        String.format(Locale.ROOT, "%.3f, %.3f", Samples.of(served.get("q4")).median() / servedFp32,
            Samples.of(served.get("int8")).median() / servedFp32)));
    double fp32Median = Samples.of(fp32).median();
    verdicts.add(Verdict.atLeast("4. int4 (MatMulNBits) / fp32 decode tok/s",
        Samples.of(speed.get("model_q4.onnx")).median() / fp32Median, 2.5));
    verdicts.add(Verdict.reported("4. int8 (MatMulNBits) / fp32 decode tok/s", String.format(Locale.ROOT, "%.3f",
        Samples.of(speed.get("model_int8.onnx")).median() / fp32Median)));
  }

  /** Single-stream decode tokens/s through ModelHost of services that differ only in their {@code variant}. */
  private Map<String, double[]> servedVariants(int[] prompt) throws Exception {
    Map<String, double[]> speed = new LinkedHashMap<>();
    try (ModelHost host = ModelHost.builder().build()) {
      Map<String, CompletionRequest[]> requests = new LinkedHashMap<>();
      for (String variant : List.of("fp32", "int8", "q4")) {
        ModelSource source = source().withOption("variant", variant);
        host.deploy(ServiceSpec.builder("bench", "variant-" + variant).backend(OnnxBackendProvider.NAME).source(source)
            .requestTimeout(QUEUE_TIMEOUT).build());
        String service = host.awaitRunning("bench/variant-" + variant, LOAD_TIMEOUT).accessPath();
        requests.put(variant, new CompletionRequest[] {
            DecodeBenchmark.greedyRequest(service, options.model(), prompt, options.tokens() + 1),
            DecodeBenchmark.greedyRequest(service, options.model(), prompt, 1)});
        host.complete(requests.get(variant)[1]);
        speed.put(variant, new double[options.runs()]);
      }
      for (int run = 0; run < options.runs(); run++) {
        for (Map.Entry<String, CompletionRequest[]> variant : requests.entrySet()) {
          speed.get(variant.getKey())[run] = DecodeBenchmark.hostDecode(host, variant.getValue()[0],
              variant.getValue()[1], options.tokens());
        }
      }
    }
    return speed;
  }

  /**
   * Item 6: the DJL decoder against the ONNX decoder on the same weights, 1 and 8 sequences per
   * step; then Jlama, single stream, when a command to run it is configured.
   */
  void djl(List<Verdict> verdicts) throws Exception {
    ModelDirectory directory = ModelDirectory.open(options.model());
    ModelSource source = source();
    int steps = Math.max(4, options.tokens() / 2);
    int runs = Math.max(1, options.runs() / 2);
    Map<Integer, double[]> onnxMs = new LinkedHashMap<>();
    Map<Integer, double[]> djlMs = new LinkedHashMap<>();
    try (OnnxDecoder onnx = OnnxDecoder.load(directory, source);
        LlamaDecoder djl = DjlDecoderLoader.load(directory.readJson("config.json"), directory::resolve, source)) {
      for (int sequences : new int[] {1, 8}) {
        DjlBenchmark.decodeMillisPerStep(onnx, sequences, options.prompt(), 2);
        DjlBenchmark.decodeMillisPerStep(djl, sequences, options.prompt(), 2);
        for (int run = 0; run < runs; run++) {
          onnxMs.computeIfAbsent(sequences, k -> new double[runs])[run] =
              DjlBenchmark.decodeMillisPerStep(onnx, sequences, options.prompt(), steps);
          djlMs.computeIfAbsent(sequences, k -> new double[runs])[run] =
              DjlBenchmark.decodeMillisPerStep(djl, sequences, options.prompt(), steps);
        }
      }
    }
    for (int sequences : onnxMs.keySet()) {
      double[] onnxSpeed = tokensPerSecond(onnxMs.get(sequences), sequences);
      double[] djlSpeed = tokensPerSecond(djlMs.get(sequences), sequences);
      System.out.printf(Locale.ROOT, "batch %d: onnx %s tok/s, djl %s tok/s, djl/onnx (per run) %s%n", sequences,
          Samples.of(onnxSpeed).describe(1), Samples.of(djlSpeed).describe(1), ratios(djlSpeed, onnxSpeed).describe(3));
      verdicts.add(Verdict.reported("6. DJL / ONNX decoder, batch " + sequences, String.format(Locale.ROOT, "%.3f",
          Samples.of(djlSpeed).median() / Samples.of(onnxSpeed).median())));
    }
    if (options.jlama().isEmpty()) {
      verdicts.add(Verdict.reported("6. Jlama / ONNX, single stream", "not run: no JDK 21+ or Jlama classpath"));
      return;
    }
    Samples jlama = jlama(steps, runs);
    double onnx = Samples.of(tokensPerSecond(onnxMs.get(1), 1)).median();
    System.out.printf(Locale.ROOT, "jlama 0.8.4 (fp32, single stream): %s tok/s, jlama/onnx batch 1: %.3f%n",
        jlama.describe(1), jlama.median() / onnx);
    verdicts.add(Verdict.reported("6. Jlama / ONNX, single stream",
        String.format(Locale.ROOT, "%.3f", jlama.median() / onnx)));
  }

  /** Jlama's decode tokens/s on the same checkpoint, run by JlamaPeer.java in a JDK 21+ process. */
  private Samples jlama(int tokens, int runs) throws Exception {
    List<String> command = new ArrayList<>(options.jlama());
    command.addAll(List.of(options.model().toString(), Integer.toString(tokens), Integer.toString(runs)));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0 || !output.contains("jlama decode tok/s: ")) {
      throw new IllegalStateException("Jlama failed:\n" + output);
    }
    String line = output.substring(output.indexOf("jlama decode tok/s: ") + 20).lines().findFirst().orElseThrow();
    return Samples.of(Arrays.stream(line.trim().split(" ")).mapToDouble(Double::parseDouble).toArray());
  }

  /** Equally long, distinct prompts of {@code options.prompt()} tokens. */
  int[][] prompts(int count) {
    int[][] prompts = new int[count][options.prompt()];
    for (int s = 0; s < count; s++) {
      for (int i = 0; i < options.prompt(); i++) {
        prompts[s][i] = (100 + 37 * i + 11 * s) % 2000;
      }
    }
    return prompts;
  }

  ModelSource source() {
    Map<String, String> serviceOptions = new LinkedHashMap<>(options.serviceOptions());
    serviceOptions.put("threads", Integer.toString(options.threads()));
    serviceOptions.put("device", "cpu");
    return new ModelSource(options.model().toString(), serviceOptions);
  }

  private String deploy(ModelHost host, String name) {
    host.deploy(ServiceSpec.builder("bench", name).backend(OnnxBackendProvider.NAME).source(source()).replicas(1)
        .requestTimeout(QUEUE_TIMEOUT).build());
    return host.awaitRunning("bench/" + name, LOAD_TIMEOUT).accessPath();
  }

  /** Aggregate tokens/s of {@code level} greedy requests of {@code tokens} tokens sent at once. */
  private double concurrent(ModelHost host, String service, ExecutorService clients, int level, int tokens)
      throws Exception {
    int[][] prompts = prompts(level);
    List<CompletionRequest> requests = new ArrayList<>();
    for (int[] prompt : prompts) {
      requests.add(DecodeBenchmark.greedyRequest(service, options.model(), prompt, tokens));
    }
    long start = System.nanoTime();
    List<Future<Completion>> running = new ArrayList<>();
    for (CompletionRequest request : requests) {
      running.add(clients.submit(() -> host.complete(request)));
    }
    long produced = 0;
    for (Future<Completion> future : running) {
      produced += future.get().usage().completionTokens();
    }
    if (produced != (long) level * tokens) {
      throw new IllegalStateException("Expected " + level * tokens + " tokens, got " + produced);
    }
    return produced / ((System.nanoTime() - start) / 1e9);
  }

  private static double[] tokensPerSecond(double[] millisPerStep, int sequences) {
    double[] out = new double[millisPerStep.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = sequences * 1000 / millisPerStep[i];
    }
    return out;
  }

  private static Samples ratios(double[] numerators, double[] denominators) {
    double[] out = new double[numerators.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = numerators[i] / denominators[i];
    }
    return Samples.of(out);
  }
}
