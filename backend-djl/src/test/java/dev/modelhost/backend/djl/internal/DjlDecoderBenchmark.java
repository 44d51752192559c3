package dev.modelhost.backend.djl.internal;

import dev.modelhost.api.Json;
import dev.modelhost.engine.Decoder;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.spi.ModelSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Speed and resident memory of the DJL decoder: not a test (timings belong in programs). Loads one
 * model, then for 1 and for N sequences (each a replica's working state over the shared weights)
 * prefills a prompt and decodes greedily, printing ms per step and the process's resident memory.
 *
 * <p>Usage: {@code DjlDecoderBenchmark MODEL_DIR [PROMPT_TOKENS=32] [DECODE_STEPS=64] [SEQUENCES=4]}
 */
public final class DjlDecoderBenchmark {

  private DjlDecoderBenchmark() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    int promptTokens = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int decodeSteps = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    int sequences = args.length > 3 ? Integer.parseInt(args[3]) : 4;
    report("before load");
    var config = Json.mapper().readTree(Files.readString(dir.resolve("config.json")));
    try (LlamaDecoder decoder = DjlDecoderLoader.load(config, dir::resolve, ModelSource.of(dir.toString()))) {
      report("weights loaded on " + decoder.device());
      run(decoder, 1, promptTokens, decodeSteps);
      run(decoder, sequences, promptTokens, decodeSteps);
    }
  }

  private static void run(LlamaDecoder decoder, int sequences, int promptTokens, int decodeSteps) throws IOException {
    int vocab = decoder.config().vocabSize();
    List<DecoderState> states = new ArrayList<>();
    try {
      List<Decoder.Step> prefill = new ArrayList<>();
      for (int s = 0; s < sequences; s++) {
        DecoderState state = decoder.newState();
        states.add(state);
        int[] prompt = new int[promptTokens];
        for (int i = 0; i < promptTokens; i++) {
          prompt[i] = (1 + 31 * i + 7 * s) % vocab;
        }
        prefill.add(new Decoder.Step(state, prompt));
      }
      long start = System.nanoTime();
      float[][] logits = decoder.step(prefill);
      long prefillNanos = System.nanoTime() - start;
      start = System.nanoTime();
      for (int step = 0; step < decodeSteps; step++) {
        List<Decoder.Step> batch = new ArrayList<>();
        for (int s = 0; s < sequences; s++) {
          batch.add(new Decoder.Step(states.get(s), new int[] {LlamaDecoderTest.argmax(logits[s])}));
        }
        logits = decoder.step(batch);
      }
      double msPerStep = (System.nanoTime() - start) / 1e6 / decodeSteps;
      System.out.printf("%d sequence(s): prefill %d tokens each in %.1f ms; decode %.2f ms/step, %.1f tokens/s%n",
          sequences, promptTokens, prefillNanos / 1e6, msPerStep, sequences * 1000 / msPerStep);
      report(sequences + " sequence(s) live");
    } finally {
      states.forEach(DecoderState::close);
    }
  }

  private static void report(String when) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS") || line.startsWith("VmHWM")) {
        System.out.println(when + ": " + line.replaceAll("\\s+", " "));
      }
    }
  }
}
