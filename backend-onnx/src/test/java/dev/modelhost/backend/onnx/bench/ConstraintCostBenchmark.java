package dev.modelhost.backend.onnx.bench;

import dev.modelhost.api.Json;
import dev.modelhost.backend.onnx.internal.OnnxDecoder;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.engine.Decoder.Step;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.engine.internal.TextTokenizer;
import dev.modelhost.engine.internal.grammar.JsonSchemaGrammar;
import dev.modelhost.engine.internal.grammar.TokenConstraint;
import dev.modelhost.engine.internal.grammar.TokenVocabulary;
import dev.modelhost.spi.ModelSource;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What constrained decoding adds to a decode step: the model is stepped (batch 1) and each row of
 * logits is masked by a JSON-schema constraint, a token is drawn from what is left and the
 * constraint moves past it, as in serving. The step and the constraint's work (masking and moving
 * on) are timed apart on the same steps, so their ratio is measured side by side. The first pass
 * builds the masks as it meets new grammar states (cold); the second finds them built (warm).
 * Targets (constraint / step, cold) and measured figures: BENCHMARKS.md, "Constrained decoding".
 *
 * <pre>
 * ./mvnw -q -pl backend-onnx -am -Pconstraint-bench process-test-classes [-Dbench.args="--model DIR --threads 2"]
 * </pre>
 */
public final class ConstraintCostBenchmark {

  private static final String SCHEMA = """
      {"type": "object", "properties": {
        "title": {"type": "string"}, "year": {"type": "integer"}, "score": {"type": "number"},
        "genre": {"enum": ["drama", "comedy", "horror", "documentary"]}, "seen": {"type": "boolean"},
        "cast": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"},
          "role": {"type": "string"}}, "required": ["name", "role"], "additionalProperties": false}}},
       "required": ["title", "year", "score", "genre", "seen", "cast"], "additionalProperties": false}
      """;

  private ConstraintCostBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path model = DefaultModel.FORTUNE_LLAMA.directory();
    int threads = Runtime.getRuntime().availableProcessors();
    int steps = 0;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--model" -> model = Path.of(args[i + 1]);
        case "--threads" -> threads = Integer.parseInt(args[i + 1]);
        case "--steps" -> steps = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("Unknown option " + args[i]);
      }
    }
    ModelDirectory directory = ModelDirectory.open(model);
    try (TextTokenizer tokenizer = TextTokenizer.load(directory);
        OnnxDecoder decoder = OnnxDecoder.load(directory, new ModelSource(model.toString(), Map.of("threads", String.valueOf(threads))))) {
      int vocab = decoder.config().vocabSize();
      int window = decoder.config().contextWindow();
      int measured = steps > 0 ? steps : Math.min(400, window - 40);
      int[] ends = decoder.config().eosTokenIds().stream().mapToInt(Integer::intValue).toArray();
      TokenVocabulary vocabulary = tokenizer.constrainedVocabulary(vocab, ends, new boolean[0]);
      TokenConstraint constraint = TokenConstraint.compile(JsonSchemaGrammar.schema(Json.mapper().readTree(SCHEMA), "schema"),
          vocabulary);
      System.out.printf(Locale.ROOT, "model %s, vocabulary %d, %d threads, %d steps per pass%n", model.getFileName(), vocab,
          threads, measured);
      int[] prompt = tokenizer.encodeRendered("A film, as JSON:");
      Pass cold = pass(decoder, constraint, prompt, measured, 1);
      Pass warm = pass(decoder, constraint, prompt, measured, 2);
      System.out.printf(Locale.ROOT, "%-34s %12s %12s%n", "", "step (us)", "constraint (us)");
      print("cold pass: median", cold.stepMedian(), cold.constraintMedian());
      print("cold pass: mean", cold.stepMean(), cold.constraintMean());
      print("warm pass: median", warm.stepMedian(), warm.constraintMedian());
      print("warm pass: mean", warm.stepMean(), warm.constraintMean());
      System.out.printf(Locale.ROOT, "constraint / step, warm (medians):  %.4f%n", warm.constraintMedian() / warm.stepMedian());
      System.out.printf(Locale.ROOT, "constraint / step, cold (means):    %.4f%n", cold.constraintMean() / cold.stepMean());
      System.out.printf(Locale.ROOT, "objects completed: cold %d, warm %d%n", cold.completed(), warm.completed());
    }
  }

  private static void print(String label, double stepNanos, double constraintNanos) {
    System.out.printf(Locale.ROOT, "%-34s %12.1f %12.2f%n", label, stepNanos / 1e3, constraintNanos / 1e3);
  }

  private record Pass(long[] step, long[] constraint, int completed) {
    double stepMedian() {
      return median(step);
    }

    double constraintMedian() {
      return median(constraint);
    }

    double stepMean() {
      return Arrays.stream(step).average().orElseThrow();
    }

    double constraintMean() {
      return Arrays.stream(constraint).average().orElseThrow();
    }

    private static double median(long[] values) {
      long[] sorted = values.clone();
      Arrays.sort(sorted);
      return sorted[sorted.length / 2];
    }
  }

  /** {@code steps} decode steps at temperature 1, each row masked; a whole object starts the next one. */
  private static Pass pass(OnnxDecoder decoder, TokenConstraint constraint, int[] prompt, int steps, long seed) {
    long[] stepNanos = new long[steps];
    long[] constraintNanos = new long[steps];
    SplittableRandom random = new SplittableRandom(seed);
    int completed = 0;
    try (DecoderState state = decoder.newState()) {
      decoder.step(List.of(new Step(state, prompt)));
      int at = constraint.start();
      int token = prompt[prompt.length - 1];
      for (int i = 0; i < steps; i++) {
        long t0 = System.nanoTime();
        float[] row = decoder.step(List.of(new Step(state, new int[] {token})))[0];
        long t1 = System.nanoTime();
        constraint.mask(at, row);
        long t2 = System.nanoTime();
        int next = draw(row, random);
        long t3 = System.nanoTime();
        at = constraint.next(at, next);
        long t4 = System.nanoTime();
        stepNanos[i] = t1 - t0;
        constraintNanos[i] = (t2 - t1) + (t4 - t3);
        token = next;
        if (constraint.complete(at) || constraint.accepting(at) && random.nextInt(4) == 0) {
          completed++;
          at = constraint.start();
        }
      }
    }
    return new Pass(stepNanos, constraintNanos, completed);
  }

  /** A draw at temperature 1 from a masked row (not timed: sampling is not the constraint's cost). */
  private static int draw(float[] row, SplittableRandom random) {
    float max = Float.NEGATIVE_INFINITY;
    for (float v : row) {
      max = Math.max(max, v);
    }
    double total = 0;
    double[] p = new double[row.length];
    for (int i = 0; i < row.length; i++) {
      p[i] = row[i] == Float.NEGATIVE_INFINITY ? 0 : Math.exp(row[i] - max);
      total += p[i];
    }
    double u = random.nextDouble() * total;
    for (int i = 0; i < row.length; i++) {
      u -= p[i];
      if (u < 0 && p[i] > 0) {
        return i;
      }
    }
    return PlainOnnxLoop.argmax(row);
  }
}
