package dev.modelhost.engine.internal;

import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * Picks one sequence's next token from a row of logits: logit bias, repetition / presence /
 * frequency penalties, then greedy or temperature with top-k, top-p and min-p. Owns the
 * sequence's random stream and token counts; its scratch space is allocated once per sequence,
 * never per token.
 */
public final class TokenSampler {

  private final SamplingParams params;
  private final int vocabSize;
  private final SplittableRandom random;
  /** Times each token was generated (presence/frequency), or null when unused. */
  private final int @Nullable [] counts;
  /** Whether each token is in the prompt or output (repetition penalty), or null when unused. */
  private final boolean @Nullable [] seen;
  /** The distinct tokens flagged in {@code counts} or {@code seen}, so penalties skip the rest. */
  private int[] distinct = new int[64];
  private int distinctCount;
  private final TopK top = new TopK();
  /** Probabilities of the last non-greedy step; the logits row is left as it was. */
  private final float @Nullable [] probabilities;

  /**
   * @param random this sequence's own stream
   * @param prompt the prompt, for the repetition penalty
   */
  public TokenSampler(SamplingParams params, int vocabSize, SplittableRandom random, int[] prompt) {
    this.params = params;
    this.vocabSize = vocabSize;
    this.random = random;
    boolean frequency = params.presencePenalty() != 0 || params.frequencyPenalty() != 0;
    boolean repetition = params.repetitionPenalty() != 1;
    this.counts = frequency ? new int[vocabSize] : null;
    this.seen = frequency || repetition ? new boolean[vocabSize] : null;
    this.probabilities = params.greedy() ? null : new float[vocabSize];
    if (repetition) {
      for (int token : prompt) {
        remember(token);
      }
    }
  }

  public SamplingParams params() {
    return params;
  }

  /** Records a generated token for the penalties. */
  public void accept(int token) {
    if (counts != null && token >= 0 && token < vocabSize) {
      counts[token]++;
    }
    remember(token);
  }

  private void remember(int token) {
    if (seen == null || token < 0 || token >= vocabSize || seen[token]) {
      return;
    }
    seen[token] = true;
    if (distinctCount == distinct.length) {
      distinct = java.util.Arrays.copyOf(distinct, distinct.length * 2);
    }
    distinct[distinctCount++] = token;
  }

  /**
   * Applies bias and penalties to {@code logits} in place: afterwards the row is the distribution
   * that log probabilities are reported from.
   */
  public void adjust(float[] logits) {
    int[] biasIds = params.logitBiasIds();
    float[] biasValues = params.logitBiasValues();
    for (int i = 0; i < biasIds.length; i++) {
      // -100 bans the token outright, as OpenAI documents.
      logits[biasIds[i]] = biasValues[i] <= -100 ? Float.NEGATIVE_INFINITY : logits[biasIds[i]] + biasValues[i];
    }
    float repetition = (float) params.repetitionPenalty();
    float presence = (float) params.presencePenalty();
    float frequency = (float) params.frequencyPenalty();
    for (int i = 0; i < distinctCount; i++) {
      int token = distinct[i];
      float logit = logits[token];
      if (repetition != 1f) {
        logit = logit > 0 ? logit / repetition : logit * repetition;
      }
      if (counts != null && counts[token] > 0) {
        logit -= frequency * counts[token] + presence;
      }
      logits[token] = logit;
    }
  }

  /** Chooses the next token from an {@linkplain #adjust adjusted} row, which it leaves as it is. */
  public int sample(float[] row) {
    if (params.greedy() || probabilities == null) {
      return argmax(row);
    }
    int n = Math.min(row.length, probabilities.length);
    float[] logits = probabilities;
    float max = row[argmax(row)];
    float invT = (float) (1.0 / params.temperature());
    double total = 0;
    for (int i = 0; i < n; i++) {
      float p = (float) Math.exp((row[i] - max) * invT);
      logits[i] = p;
      total += p;
    }
    boolean truncate = params.topK() > 0 || params.topP() < 1 || params.minP() > 0;
    if (!truncate) {
      return draw(logits, n, total);
    }
    int limit = params.topK() > 0 ? Math.min(params.topK(), n) : n;
    // Smallest prefix of the sorted distribution that covers top_p: grow a partial selection
    // instead of sorting the whole vocabulary.
    int want = Math.min(limit, 64);
    int found;
    double kept;
    while (true) {
      found = top.select(logits, n, want);
      kept = 0;
      for (int i = 0; i < found; i++) {
        kept += logits[top.index(i)];
      }
      if (found == limit || kept >= params.topP() * total) {
        break;
      }
      want = Math.min(limit, want * 4);
    }
    double norm = params.topK() > 0 ? kept : total;
    float floor = (float) (params.minP() * logits[top.index(0)]);
    double cumulative = 0;
    int end = 0;
    while (end < found) {
      float p = logits[top.index(end)];
      if (end > 0 && (p < floor || cumulative >= params.topP() * norm)) {
        break;
      }
      cumulative += p;
      end++;
    }
    double u = random.nextDouble() * cumulative;
    for (int i = 0; i < end; i++) {
      u -= logits[top.index(i)];
      if (u < 0) {
        return top.index(i);
      }
    }
    return top.index(end - 1);
  }

  private int draw(float[] probabilities, int n, double total) {
    double u = random.nextDouble() * total;
    int last = 0;
    for (int i = 0; i < n; i++) {
      if (probabilities[i] > 0) {
        last = i;
        u -= probabilities[i];
        if (u < 0) {
          return i;
        }
      }
    }
    return last;
  }

  static int argmax(float[] values) {
    int best = 0;
    float bestValue = values[0];
    for (int i = 1; i < values.length; i++) {
      if (values[i] > bestValue) {
        bestValue = values[i];
        best = i;
      }
    }
    return best;
  }

  /** log(sum(exp(row))) of an adjusted row, for log probabilities. */
  static double logSumExp(float[] row) {
    float max = row[argmax(row)];
    if (max == Float.NEGATIVE_INFINITY) {
      return max;
    }
    double sum = 0;
    for (float v : row) {
      sum += Math.exp(v - max);
    }
    return max + Math.log(sum);
  }

  /** The top-{@code k} tokens of an adjusted row, most likely first; reuses this sampler's scratch. */
  TopK top(float[] row, int k) {
    top.select(row, row.length, Math.min(k, row.length));
    return top;
  }
}
