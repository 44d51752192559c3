package dev.modelhost.backend.djl.bench;

import dev.modelhost.ModelHost;
import dev.modelhost.backend.djl.DjlBackendProvider;
import dev.modelhost.backend.djl.internal.DjlDecoderLoader;
import dev.modelhost.backend.djl.internal.LlamaDecoder;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.engine.Decoder;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.testing.ReplicaMemoryBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Resident memory of the DJL backend with 1 and 4 replicas of one service, and with 4 services of
 * the same model, measured through {@link ModelHost} after requests ran on every replica; then the
 * bare decoder's greedy decoding speed with 1 and 4 sequences per step. Not a test: timings belong
 * on a quiet machine.
 *
 * <pre>
 * ./mvnw -q -pl backend-djl -am -Pdjl-bench process-test-classes [-Dbench.args="MODEL_DIR THREADS"]
 * </pre>
 *
 * The model defaults to fortune-llama, the threads to the available processors.
 */
public final class DjlBenchmark {

  private static final int PROMPT_TOKENS = 32;
  private static final int DECODE_STEPS = 64;

  private DjlBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path model = args.length > 0 ? Path.of(args[0]) : DefaultModel.FORTUNE_LLAMA.directory();
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    ModelSource source = new ModelSource(model.toString(), Map.of("threads", String.valueOf(threads), "device", "cpu"));
    System.out.printf(Locale.ROOT, "model %s (model.safetensors %.1f MB), %d threads, %d CPUs, OMP_WAIT_POLICY=%s%n",
        model.getFileName(), Files.size(model.resolve("model.safetensors")) / 1e6, threads,
        Runtime.getRuntime().availableProcessors(), System.getenv("OMP_WAIT_POLICY"));
    ReplicaMemoryBench.print(DjlBackendProvider.NAME, source);
    speed(source);
  }

  private static void speed(ModelSource source) {
    ModelDirectory dir = ModelDirectory.open(source.location());
    try (LlamaDecoder decoder = DjlDecoderLoader.load(dir.readJson("config.json"), dir::resolve, source)) {
      System.out.printf(Locale.ROOT, "%nbare decoder, greedy, prompt %d tokens, %d decode steps, best of 3:%n",
          PROMPT_TOKENS, DECODE_STEPS);
      for (int sequences : new int[] {1, 4}) {
        double best = Double.MAX_VALUE;
        for (int run = 0; run < 4; run++) {
          double ms = decodeMillisPerStep(decoder, sequences, PROMPT_TOKENS, DECODE_STEPS);
          if (run > 0) {
            best = Math.min(best, ms);
          }
        }
        System.out.printf(Locale.ROOT, "%d sequence(s) per step: %6.2f ms/step, %7.1f tokens/s%n",
            sequences, best, sequences * 1000 / best);
      }
    }
  }

  /**
   * Milliseconds per greedy decode step of {@code sequences} sequences stepped together by any
   * {@link Decoder}, after a prefill of {@code promptTokens} distinct tokens each.
   */
  public static double decodeMillisPerStep(Decoder decoder, int sequences, int promptTokens, int decodeSteps) {
    int vocab = decoder.config().vocabSize();
    List<DecoderState> states = new ArrayList<>();
    try {
      List<Decoder.Step> prefill = new ArrayList<>();
      for (int s = 0; s < sequences; s++) {
        states.add(decoder.newState());
        int[] prompt = new int[promptTokens];
        for (int i = 0; i < prompt.length; i++) {
          prompt[i] = (100 + 37 * i + 11 * s) % vocab;
        }
        prefill.add(new Decoder.Step(states.get(s), prompt));
      }
      float[][] logits = decoder.step(prefill);
      long start = System.nanoTime();
      for (int step = 0; step < decodeSteps; step++) {
        List<Decoder.Step> batch = new ArrayList<>(sequences);
        for (int s = 0; s < sequences; s++) {
          batch.add(new Decoder.Step(states.get(s), new int[] {argmax(logits[s])}));
        }
        logits = decoder.step(batch);
      }
      return (System.nanoTime() - start) / 1e6 / decodeSteps;
    } finally {
      states.forEach(DecoderState::close);
    }
  }

  private static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
