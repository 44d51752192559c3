package dev.modelhost.backend.djl.bench;

import dev.modelhost.ModelHost;
import dev.modelhost.ServiceSpec;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.backend.djl.DjlBackendProvider;
import dev.modelhost.backend.djl.internal.DjlDecoderLoader;
import dev.modelhost.backend.djl.internal.LlamaDecoder;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.engine.Decoder;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.spi.ModelSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Resident memory of the DJL backend with 1 and 4 replicas of one service, and with 4 services of
 * the same model, measured through {@link ModelHost} after requests ran on every replica; then the
 * bare decoder's greedy decoding speed with 1 and 4 sequences per step. Not a test: timings belong
 * on a quiet machine.
 *
 * <pre>
 * ./mvnw -q -pl backend-djl -am -Pbench process-test-classes [-Dbench.args="MODEL_DIR THREADS"]
 * </pre>
 *
 * The model defaults to fortune-llama, the threads to the available processors.
 */
public final class DjlBenchmark {

  private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(5);
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
    memory(source);
    speed(source);
  }

  private static void memory(ModelSource source) throws Exception {
    System.out.printf(Locale.ROOT, "%nresident memory after every replica has served a request:%n");
    long before = residentBytes();
    System.out.printf(Locale.ROOT, "no service             : %7.1f MB%n", before / 1e6);
    try (ModelHost host = ModelHost.builder().build()) {
      String service = deploy(host, "memory", source);
      exercise(host, List.of(service), 1);
      print("1 service x 1 replica  ", before);
      host.scale(service, 4);
      awaitReplicas(host, service, 4);
      exercise(host, List.of(service), 4);
      print("1 service x 4 replicas ", before);
      List<String> services = new ArrayList<>(List.of(service));
      host.scale(service, 1);
      awaitReplicas(host, service, 1);
      for (int i = 1; i < 4; i++) {
        services.add(deploy(host, "copy" + i, source));
      }
      exercise(host, services, 1);
      print("4 services x 1 replica ", before);
    }
  }

  private static void speed(ModelSource source) {
    ModelDirectory dir = ModelDirectory.open(source.location());
    try (LlamaDecoder decoder = DjlDecoderLoader.load(dir.readJson("config.json"), dir::resolve, source)) {
      System.out.printf(Locale.ROOT, "%nbare decoder, greedy, prompt %d tokens, %d decode steps, best of 3:%n",
          PROMPT_TOKENS, DECODE_STEPS);
      for (int sequences : new int[] {1, 4}) {
        double best = Double.MAX_VALUE;
        for (int run = 0; run < 4; run++) {
          double ms = decodeMillisPerStep(decoder, sequences);
          if (run > 0) {
            best = Math.min(best, ms);
          }
        }
        System.out.printf(Locale.ROOT, "%d sequence(s) per step: %6.2f ms/step, %7.1f tokens/s%n",
            sequences, best, sequences * 1000 / best);
      }
    }
  }

  private static double decodeMillisPerStep(Decoder decoder, int sequences) {
    int vocab = decoder.config().vocabSize();
    List<DecoderState> states = new ArrayList<>();
    try {
      List<Decoder.Step> prefill = new ArrayList<>();
      for (int s = 0; s < sequences; s++) {
        states.add(decoder.newState());
        int[] prompt = new int[PROMPT_TOKENS];
        for (int i = 0; i < prompt.length; i++) {
          prompt[i] = (100 + 37 * i + 11 * s) % vocab;
        }
        prefill.add(new Decoder.Step(states.get(s), prompt));
      }
      float[][] logits = decoder.step(prefill);
      long start = System.nanoTime();
      for (int step = 0; step < DECODE_STEPS; step++) {
        List<Decoder.Step> batch = new ArrayList<>(sequences);
        for (int s = 0; s < sequences; s++) {
          batch.add(new Decoder.Step(states.get(s), new int[] {argmax(logits[s])}));
        }
        logits = decoder.step(batch);
      }
      return (System.nanoTime() - start) / 1e6 / DECODE_STEPS;
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

  private static String deploy(ModelHost host, String name, ModelSource source) {
    host.deploy(ServiceSpec.builder("bench", name).backend(DjlBackendProvider.NAME).source(source).build());
    return host.awaitRunning("bench/" + name, LOAD_TIMEOUT).accessPath();
  }

  private static void awaitReplicas(ModelHost host, String service, int replicas) throws InterruptedException {
    long deadline = System.nanoTime() + LOAD_TIMEOUT.toNanos();
    while (host.describe(service).readyReplicas() != replicas) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(service + " did not reach " + replicas + " replicas");
      }
      Thread.sleep(20);
    }
  }

  /** {@code concurrency} requests at once on every service, so that every replica holds its caches. */
  private static void exercise(ModelHost host, List<String> services, int concurrency) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(services.size() * concurrency);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (String service : services) {
        for (int i = 0; i < concurrency; i++) {
          running.add(pool.submit(() -> host.complete(CompletionRequest.of(service, "Once upon a time", 64))));
        }
      }
      for (Future<?> future : running) {
        future.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  /**
   * Float32 weights are mapped from the file, so they count as file-backed resident memory: each
   * service maps the file anew and VmRSS counts each mapping, though the page cache holds one copy.
   */
  private static void print(String what, long before) throws IOException, InterruptedException {
    long now = residentBytes();
    System.out.printf(Locale.ROOT, "%s: %7.1f MB (+%.1f MB; anonymous %.1f MB, file-backed %.1f MB)%n",
        what, now / 1e6, (now - before) / 1e6, status("RssAnon:") / 1e6, status("RssFile:") / 1e6);
  }

  private static long residentBytes() throws IOException, InterruptedException {
    System.gc();
    Thread.sleep(100);
    return status("VmRSS:");
  }

  private static long status(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("No " + field + " in /proc/self/status");
  }
}
