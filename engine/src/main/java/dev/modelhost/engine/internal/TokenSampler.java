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
  /** Probabilities of a whole row (sampling without top-k); allocated once, on first use. */
  private float @Nullable [] probabilities;
  /** Probabilities of the selected candidates, most likely first. */
  private float[] candidate = new float[64];

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

  /**
   * Chooses the next token from an {@linkplain #adjust adjusted} row, which it leaves as it is.
   * Scratch space is reused from token to token.
   */
  public int sample(float[] row) {
    if (params.greedy()) {
      return argmax(row);
    }
    int n = row.length;
    float max = row[argmax(row)];
    float invT = (float) (1.0 / params.temperature());
    int found;
    double norm;
    if (params.topK() > 0) {
      // Only the k best need a probability: select on the logits (same order), renormalise.
      found = top.select(row, n, Math.min(params.topK(), n));
      norm = candidates(found, max, invT, null);
    } else {
      float[] p = probabilities(n);
      double total = 0;
      for (int i = 0; i < n; i++) {
        float d = (row[i] - max) * invT;
        // exp(-30) is below float precision of the sum: skip the call for the long tail.
        float v = d < -30f ? 0f : (float) Math.exp(d);
        p[i] = v;
        total += v;
      }
      if (params.topP() >= 1 && params.minP() <= 0) {
        return draw(p, n, total);
      }
      // Smallest prefix of the sorted distribution that covers top_p: grow a partial selection
      // instead of sorting the whole vocabulary.
      int want = Math.min(n, 64);
      while (true) {
        found = top.select(p, n, want);
        double kept = candidates(found, max, invT, p);
        if (found == n || kept >= params.topP() * total || params.topP() >= 1) {
          break;
        }
        want = Math.min(n, want * 4);
      }
      norm = total;
    }
    float floor = (float) (params.minP() * candidate[0]);
    double cumulative = 0;
    int end = 0;
    while (end < found) {
      float p = candidate[end];
      if (end > 0 && (p < floor || cumulative >= params.topP() * norm)) {
        break;
      }
      cumulative += p;
      end++;
    }
    double u = random.nextDouble() * cumulative;
    for (int i = 0; i < end; i++) {
      u -= candidate[i];
      if (u < 0) {
        return top.index(i);
      }
    }
    return top.index(end - 1);
  }

  /**
   * Fills {@link #candidate} with the probabilities of the {@code found} selected tokens, from
   * {@code probabilities} when given, else from their logits; returns their sum.
   */
  private double candidates(int found, float max, float invT, float @Nullable [] probabilities) {
    if (candidate.length < found) {
      candidate = new float[Math.max(found, candidate.length * 2)];
    }
    double sum = 0;
    for (int i = 0; i < found; i++) {
      float v = probabilities != null ? probabilities[top.index(i)] : (float) Math.exp((top.value(i) - max) * invT);
      candidate[i] = v;
      sum += v;
    }
    return sum;
  }

  private float[] probabilities(int n) {
    if (probabilities == null || probabilities.length < n) {
      probabilities = new float[n];
    }
    return probabilities;
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
