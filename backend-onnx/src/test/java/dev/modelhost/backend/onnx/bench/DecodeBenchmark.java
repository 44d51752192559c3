package dev.modelhost.backend.onnx.bench;

import ai.onnxruntime.OrtEnvironment;
import dev.modelhost.ModelHost;
import dev.modelhost.ServiceSpec;
import dev.modelhost.api.Completion;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.api.Prompt;
import dev.modelhost.backend.onnx.OnnxBackendProvider;
import dev.modelhost.backend.onnx.internal.OnnxDecoder;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.engine.Decoder.Step;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.testing.ReplicaMemoryBench;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Single-stream greedy decoding speed of the ONNX backend, through {@link ModelHost} and as the
 * bare decoder, against a plain ONNX Runtime loop (same model, same threads, same process); and,
 * measured first, the memory of one service with 1 and with 4 replicas and of 4 services. Not a
 * test: run it on a quiet machine.
 *
 * <pre>
 * ./mvnw -q -pl backend-onnx -am -Ponnx-bench process-test-classes [-Dbench.args="--threads 2 --runs 9"]
 * </pre>
 *
 * Options: {@code --model DIR} (default: the fortune-llama default model), {@code --threads N}
 * (default: available processors), {@code --prompt N} prompt tokens (32), {@code --tokens N}
 * decode steps (128), {@code --runs N} measured runs after one warm-up (7).
 */
public final class DecodeBenchmark {

  private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(5);

  private DecodeBenchmark() {}

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    Path model = options.model == null ? DefaultModel.FORTUNE_LLAMA.directory() : Path.of(options.model);
    System.out.printf(Locale.ROOT, "model %s (model.onnx %.1f MB), %d threads, %d CPUs%n", model.getFileName(),
        Files.size(model.resolve("model.onnx")) / 1e6, options.threads, Runtime.getRuntime().availableProcessors());
    // Memory first, while nothing else has touched the native heap.
    memory(options, model);
    speed(options, model);
  }

  private static void speed(Options options, Path model) throws Exception {
    int[] prompt = new int[options.prompt];
    for (int i = 0; i < prompt.length; i++) {
      prompt[i] = 100 + (i * 37) % 1500;
    }
    System.out.printf(Locale.ROOT, "%nsingle-stream greedy decoding: prompt %d tokens, %d decode steps, median of %d runs%n",
        options.prompt, options.tokens, options.runs);
    double[] plain = new double[options.runs];
    double[] decoderOnly = new double[options.runs];
    double[] backend = new double[options.runs];
    ModelSource source = source(model, options.threads);
    try (PlainOnnxLoop loop = PlainOnnxLoop.open(model, options.threads);
        OnnxDecoder decoder = OnnxDecoder.load(ModelDirectory.open(model), source);
        ModelHost host = ModelHost.builder().build()) {
      String service = deploy(host, "decode", model, options.threads, 1);
      CompletionRequest full = greedyRequest(service, model, prompt, options.tokens + 1);
      CompletionRequest single = greedyRequest(service, model, prompt, 1);
      if (!loop.greedy(prompt, options.tokens + 1).tokens().equals(greedy(decoder, prompt, options.tokens + 1).tokens())) {
        throw new IllegalStateException("The decoder's greedy tokens differ from the plain loop's.");
      }
      hostDecode(host, full, single, options.tokens);
      // Interleaved, so that machine noise hits all three alike.
      for (int run = 0; run < options.runs; run++) {
        plain[run] = options.tokens / (loop.greedy(prompt, options.tokens + 1).decodeNanos() / 1e9);
        decoderOnly[run] = options.tokens / (greedy(decoder, prompt, options.tokens + 1).decodeNanos() / 1e9);
        backend[run] = hostDecode(host, full, single, options.tokens);
      }
    }
    // On a shared machine the best run is the steadier figure; both are printed.
    System.out.printf(Locale.ROOT, "%-28s %10s %10s   runs%n", "", "median", "best");
    print("plain ONNX Runtime loop", plain);
    print("OnnxDecoder alone", decoderOnly);
    print("ModelHost, onnx backend", backend);
    System.out.printf(Locale.ROOT, "%-28s %10.3f %10.3f%n", "ratio ModelHost/plain",
        median(backend) / median(plain), best(backend) / best(plain));
    System.out.printf(Locale.ROOT, "%-28s %10.3f %10.3f%n", "ratio OnnxDecoder/plain",
        median(decoderOnly) / median(plain), best(decoderOnly) / best(plain));
  }

  private static void print(String label, double[] tokensPerSecond) {
    System.out.printf(Locale.ROOT, "%-28s %10.1f %10.1f   %s  tokens/s%n", label, median(tokensPerSecond),
        best(tokensPerSecond), format(tokensPerSecond));
  }

  private static double best(double[] values) {
    return Arrays.stream(values).max().orElseThrow();
  }

  /** The decoder driven directly, greedy, one sequence. */
  private static PlainOnnxLoop.Run greedy(OnnxDecoder decoder, int[] prompt, int newTokens) {
    long start = System.nanoTime();
    long prefilled = start;
    List<Integer> out = new ArrayList<>();
    try (DecoderState state = decoder.newState()) {
      int[] tokens = prompt;
      for (int step = 0; step < newTokens; step++) {
        int next = PlainOnnxLoop.argmax(decoder.step(List.of(new Step(state, tokens)))[0]);
        out.add(next);
        tokens = new int[] {next};
        if (step == 0) {
          prefilled = System.nanoTime();
        }
      }
    }
    return new PlainOnnxLoop.Run(out, prefilled - start, System.nanoTime() - prefilled);
  }

  private static ModelSource source(Path model, int threads) {
    return new ModelSource(model.toString(), Map.of("threads", Integer.toString(threads), "device", "cpu"));
  }

  /** A greedy legacy completion of exactly {@code tokens} tokens: the end-of-sequence ids are banned. */
  public static CompletionRequest greedyRequest(String service, Path model, int[] prompt, int tokens) throws IOException {
    return new CompletionRequest(service, Prompt.ofTokens(prompt), null, tokens, 0.0, null, null, null, null,
        null, null, null, null, null, null, endOfSequenceBanned(model), null, null, null, null, null);
  }

  /** A logit_bias that bans the model's end-of-sequence ids, so that requests run to max_tokens. */
  public static Map<String, Double> endOfSequenceBanned(Path model) throws IOException {
    JsonNode generation = JsonMapper.builder().build().readTree(Files.readString(model.resolve("generation_config.json")));
    Map<String, Double> bias = new HashMap<>();
    JsonNode eos = generation.path("eos_token_id");
    for (JsonNode id : eos.isArray() ? eos : List.of(eos)) {
      bias.put(Integer.toString(id.asInt()), -100.0);
    }
    return bias;
  }

  /**
   * Decode tokens per second through the host: a request for {@code decodeSteps + 1} tokens minus
   * one for a single token (the prompt's prefill and the request's own overhead), both end to end.
   */
  public static double hostDecode(ModelHost host, CompletionRequest full, CompletionRequest single, int decodeSteps) {
    long start = System.nanoTime();
    Completion first = host.complete(single);
    long prefilled = System.nanoTime();
    Completion whole = host.complete(full);
    long end = System.nanoTime();
    if (first.usage().completionTokens() != 1 || whole.usage().completionTokens() != decodeSteps + 1) {
      throw new IllegalStateException("Expected 1 and " + (decodeSteps + 1) + " tokens, got "
          + first.usage().completionTokens() + " and " + whole.usage().completionTokens());
    }
    return decodeSteps / (((end - prefilled) - (prefilled - start)) / 1e9);
  }

  private static void memory(Options options, Path model) throws Exception {
    // The ONNX Runtime environment is process-wide: create it before the baseline is taken.
    OrtEnvironment.getEnvironment();
    ReplicaMemoryBench.print(OnnxBackendProvider.NAME, source(model, options.threads));
  }

  private static String deploy(ModelHost host, String name, Path model, int threads, int replicas) {
    host.deploy(ServiceSpec.builder("bench", name).backend(OnnxBackendProvider.NAME).source(source(model, threads))
        .replicas(replicas).build());
    return host.awaitRunning("bench/" + name, LOAD_TIMEOUT).accessPath();
  }

  public static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  private static String format(double[] values) {
    StringBuilder out = new StringBuilder();
    for (double value : values) {
      out.append(out.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0f", value));
    }
    return out.toString();
  }

  private static final class Options {
    String model;
    int threads = Runtime.getRuntime().availableProcessors();
    int prompt = 32;
    int tokens = 128;
    int runs = 7;

    static Options parse(String[] args) {
      Options options = new Options();
      for (int i = 0; i + 1 < args.length; i += 2) {
        switch (args[i]) {
          case "--model" -> options.model = args[i + 1];
          case "--threads" -> options.threads = Integer.parseInt(args[i + 1]);
          case "--prompt" -> options.prompt = Integer.parseInt(args[i + 1]);
          case "--tokens" -> options.tokens = Integer.parseInt(args[i + 1]);
          case "--runs" -> options.runs = Integer.parseInt(args[i + 1]);
          default -> throw new IllegalArgumentException("Unknown option " + args[i]);
        }
      }
      return options;
    }
  }
}
