package dev.modelhost.backend.onnx.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How much the weight-quantized variants of a model ({@code model_int8.onnx}, {@code model_q4.onnx},
 * written by {@code tools/default-model/quantize.py}) differ from {@code model.onnx}, on the
 * held-out set written by {@code tools/default-model/eval_set.py}:
 *
 * <ul>
 *   <li>greedy agreement: every prompt decoded greedily for {@code steps} tokens by fp32 and by
 *       the variant; the share of positions where the two pick the same token, the share of
 *       prompts with identical output, and the mean length of the identical prefix;
 *   <li>teacher-forced top-1 agreement along fp32's greedy continuations;
 *   <li>perplexity of each file on the held-out texts.
 * </ul>
 *
 * <pre>
 * ./mvnw -q -pl backend-onnx -am -Pquant-quality process-test-classes -Dbench.args="MODEL_DIR EVAL.json [STEPS]"
 * </pre>
 */
public final class QuantizedQuality {

  private static final List<String> FILES = List.of("model.onnx", "model_int8.onnx", "model_q4.onnx");

  private QuantizedQuality() {}

  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    JsonNode eval = JsonMapper.builder().build().readTree(Files.readString(Path.of(args[1])));
    int steps = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    List<int[]> prompts = ids(eval.get("prompts"));
    List<int[]> texts = ids(eval.get("texts"));
    int threads = Runtime.getRuntime().availableProcessors();
    System.out.printf(Locale.ROOT, "model %s: %d prompts x %d greedy steps, %d held-out texts%n",
        model.getFileName(), prompts.size(), steps, texts.size());
    List<List<Integer>> reference = new ArrayList<>();
    System.out.printf(Locale.ROOT, "%-16s %10s %10s %12s %12s %14s %12s%n", "file", "size MB", "perplexity",
        "greedy agree", "same output", "common prefix", "top-1 forced");
    for (String file : FILES) {
      if (!Files.exists(model.resolve(file))) {
        System.out.printf(Locale.ROOT, "%-16s (absent)%n", file);
        continue;
      }
      try (PlainOnnxLoop loop = PlainOnnxLoop.open(model, file, threads)) {
        double perplexity = perplexity(loop, texts);
        List<List<Integer>> outputs = new ArrayList<>();
        for (int[] prompt : prompts) {
          outputs.add(loop.greedy(prompt, steps).tokens());
        }
        if (reference.isEmpty()) {
          reference.addAll(outputs);
        }
        int agree = 0;
        int identical = 0;
        long prefix = 0;
        int forcedAgree = 0;
        for (int p = 0; p < prompts.size(); p++) {
          List<Integer> want = reference.get(p);
          List<Integer> got = outputs.get(p);
          int common = 0;
          while (common < steps && want.get(common).equals(got.get(common))) {
            common++;
          }
          prefix += common;
          identical += common == steps ? 1 : 0;
          for (int i = 0; i < steps; i++) {
            agree += want.get(i).equals(got.get(i)) ? 1 : 0;
          }
          forcedAgree += forcedAgreement(loop, prompts.get(p), want);
        }
        int positions = prompts.size() * steps;
        System.out.printf(Locale.ROOT, "%-16s %10.1f %10.2f %11.1f%% %7d / %-3d %14.1f %11.1f%%%n", file,
            Files.size(model.resolve(file)) / 1e6, perplexity, 100.0 * agree / positions, identical, prompts.size(),
            (double) prefix / prompts.size(), 100.0 * forcedAgree / positions);
      }
    }
  }

  /** exp of the mean negative log-likelihood of every next token of every text. */
  private static double perplexity(PlainOnnxLoop loop, List<int[]> texts) throws Exception {
    double nll = 0;
    long count = 0;
    for (int[] text : texts) {
      float[][] logits = loop.allLogits(text);
      for (int i = 0; i + 1 < text.length; i++) {
        nll += logSumExp(logits[i]) - logits[i][text[i + 1]];
        count++;
      }
    }
    return Math.exp(nll / count);
  }

  /** Positions of fp32's continuation where this file's next-token argmax equals fp32's token. */
  private static int forcedAgreement(PlainOnnxLoop loop, int[] prompt, List<Integer> continuation) throws Exception {
    int[] sequence = new int[prompt.length + continuation.size() - 1];
    System.arraycopy(prompt, 0, sequence, 0, prompt.length);
    for (int i = 0; i + 1 < continuation.size(); i++) {
      sequence[prompt.length + i] = continuation.get(i);
    }
    float[][] logits = loop.allLogits(sequence);
    int agree = 0;
    for (int i = 0; i < continuation.size(); i++) {
      agree += PlainOnnxLoop.argmax(logits[prompt.length - 1 + i]) == continuation.get(i) ? 1 : 0;
    }
    return agree;
  }

  private static double logSumExp(float[] values) {
    double max = Double.NEGATIVE_INFINITY;
    for (float value : values) {
      max = Math.max(max, value);
    }
    double sum = 0;
    for (float value : values) {
      sum += Math.exp(value - max);
    }
    return max + Math.log(sum);
  }

  private static List<int[]> ids(JsonNode rows) {
    List<int[]> out = new ArrayList<>();
    for (JsonNode row : rows) {
      int[] ids = new int[row.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = row.get(i).asInt();
      }
      out.add(ids);
    }
    return out;
  }
}
