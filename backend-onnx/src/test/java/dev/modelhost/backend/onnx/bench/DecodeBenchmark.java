package dev.modelhost.backend.onnx.bench;

import dev.modelhost.backend.onnx.internal.OnnxDecoder;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.engine.Decoder.Step;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.spi.ModelSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Single-stream greedy decoding speed of the ONNX backend against a plain ONNX Runtime loop, same
 * model, same threads, same process. Not a test: run it on a quiet machine.
 *
 * <pre>
 * ./mvnw -q -pl backend-onnx -am test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.modelhost.backend.onnx.bench.DecodeBenchmark [-Dexec.args="--threads 2 --tokens 128"]
 * </pre>
 *
 * Options: {@code --model DIR} (default: the fortune-llama default model), {@code --threads N}
 * (default: available processors), {@code --prompt N} prompt tokens (32), {@code --tokens N}
 * decode steps (128), {@code --runs N} measured runs after one warm-up (7).
 */
public final class DecodeBenchmark {

  private DecodeBenchmark() {}

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    Path model = options.model == null ? DefaultModel.FORTUNE_LLAMA.directory() : Path.of(options.model);
    int[] prompt = new int[options.prompt];
    for (int i = 0; i < prompt.length; i++) {
      prompt[i] = 100 + (i * 37) % 1500;
    }
    System.out.printf(Locale.ROOT, "model %s, %d threads, prompt %d tokens, %d decode steps, median of %d runs%n",
        model.getFileName(), options.threads, options.prompt, options.tokens, options.runs);

    double[] plain = new double[options.runs];
    double[] backend = new double[options.runs];
    List<Integer> plainTokens;
    List<Integer> backendTokens;
    try (PlainOnnxLoop loop = PlainOnnxLoop.open(model, options.threads);
        OnnxDecoder decoder = OnnxDecoder.load(model,
            new ModelSource(model.toString(), Map.of("threads", Integer.toString(options.threads), "device", "cpu")))) {
      plainTokens = loop.greedy(prompt, options.tokens + 1).tokens();
      backendTokens = greedy(decoder, prompt, options.tokens + 1).tokens();
      // Alternate the two so that machine noise hits both alike.
      for (int run = 0; run < options.runs; run++) {
        plain[run] = tokensPerSecond(options.tokens, loop.greedy(prompt, options.tokens + 1).decodeNanos());
        backend[run] = tokensPerSecond(options.tokens, greedy(decoder, prompt, options.tokens + 1).decodeNanos());
      }
    }
    if (!plainTokens.equals(backendTokens)) {
      throw new IllegalStateException("The backend's greedy tokens differ from the plain loop's.");
    }
    double plainMedian = median(plain);
    double backendMedian = median(backend);
    System.out.printf(Locale.ROOT, "plain ONNX Runtime loop : %8.1f tokens/s  (runs %s)%n", plainMedian, format(plain));
    System.out.printf(Locale.ROOT, "OnnxDecoder             : %8.1f tokens/s  (runs %s)%n", backendMedian, format(backend));
    System.out.printf(Locale.ROOT, "ratio decoder/plain     : %8.3f%n", backendMedian / plainMedian);
  }

  private static PlainOnnxLoop.Run greedy(OnnxDecoder decoder, int[] prompt, int newTokens) {
    long start = System.nanoTime();
    long prefilled = start;
    List<Integer> out = new ArrayList<>();
    try (DecoderState state = decoder.newState()) {
      int[] tokens = prompt;
      for (int step = 0; step < newTokens; step++) {
        float[] logits = decoder.step(List.of(new Step(state, tokens)))[0];
        int next = PlainOnnxLoop.argmax(logits);
        out.add(next);
        tokens = new int[] {next};
        if (step == 0) {
          prefilled = System.nanoTime();
        }
      }
    }
    return new PlainOnnxLoop.Run(out, prefilled - start, System.nanoTime() - prefilled);
  }

  private static double tokensPerSecond(int tokens, long nanos) {
    return tokens / (nanos / 1e9);
  }

  private static double median(double[] values) {
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
