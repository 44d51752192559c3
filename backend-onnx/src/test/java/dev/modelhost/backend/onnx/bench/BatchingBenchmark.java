package dev.modelhost.backend.onnx.bench;

import dev.modelhost.backend.onnx.OnnxBackendProvider;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.engine.DecoderConfig;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.testing.ConcurrencyBench;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What continuous batching buys on the ONNX backend: N concurrent greedy requests on one replica
 * against the same requests one by one ({@link ConcurrencyBench}). Not a test: run it on a quiet
 * machine.
 *
 * <pre>
 * ./mvnw -q -pl backend-onnx -am -Pbatch-bench process-test-classes [-Dbench.args="--threads 2 --runs 3"]
 * </pre>
 *
 * Options: {@code --model DIR} (default: the fortune-llama default model), {@code --threads N}
 * (default: available processors), {@code --concurrency N} (8), {@code --max-batch N} (the
 * engine's default), {@code --prompt N} prompt tokens (32), {@code --tokens N} tokens a request
 * (64), {@code --runs N} measured rounds after one warm-up (3).
 */
public final class BatchingBenchmark {

  private BatchingBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>(Map.of(
        "--threads", Integer.toString(Runtime.getRuntime().availableProcessors()),
        "--concurrency", "8", "--prompt", "32", "--tokens", "64", "--runs", "3"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!options.containsKey(args[i]) && !args[i].equals("--model") && !args[i].equals("--max-batch")) {
        throw new IllegalArgumentException("Unknown option " + args[i]);
      }
      options.put(args[i], args[i + 1]);
    }
    Path model = options.containsKey("--model") ? Path.of(options.get("--model")) : DefaultModel.FORTUNE_LLAMA.directory();
    Map<String, String> sourceOptions = new HashMap<>(Map.of("threads", options.get("--threads"), "device", "cpu"));
    if (options.containsKey("--max-batch")) {
      sourceOptions.put("max-batch", options.get("--max-batch"));
    }
    Set<Integer> eos = new HashSet<>(DecoderConfig.read(ModelDirectory.open(model.toString())).eosTokenIds());
    System.out.printf(Locale.ROOT, "model %s, options %s, %d CPUs%n", model.getFileName(), sourceOptions,
        Runtime.getRuntime().availableProcessors());
    ConcurrencyBench.print(OnnxBackendProvider.NAME, new ModelSource(model.toString(), sourceOptions), eos,
        Integer.parseInt(options.get("--concurrency")), Integer.parseInt(options.get("--prompt")),
        Integer.parseInt(options.get("--tokens")), Integer.parseInt(options.get("--runs")));
  }
}
