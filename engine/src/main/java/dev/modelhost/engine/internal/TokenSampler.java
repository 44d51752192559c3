package dev.modelhost.engine.internal;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * Picks one sequence's next token from a row of logits: logit bias, repetition / presence /
 * frequency penalties, then greedy or temperature with top-k, top-p and min-p. Owns the
 * sequence's random stream and token counts; its scratch space is allocated once per sequence,
 * never per token.
 */
final class TokenSampler {

  /** Log-probabilities below -TAIL count as zero. */
  private static final float TAIL = 30f;
  /** Histogram resolution for top-p: 1024 buckets over [-TAIL, 0]. */
  private static final int BUCKETS = 1024;

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
  /** Candidate tokens and their probabilities (for top-k: most likely first). */
  private float[] candidate = new float[0];
  private int[] candidateIds = new int[0];
  /** Tokens of the histogram bucket where top_p's cumulative mass is reached. */
  private float[] edgeValues = new float[0];
  private int[] edgeIds = new int[0];
  private final double[] bucketMass = new double[BUCKETS];

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
      distinct = Arrays.copyOf(distinct, distinct.length * 2);
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
    if (params.topK() > 0) {
      // Only the k best need a probability: select on the logits (same order), renormalise.
      int found = top.select(row, n, Math.min(params.topK(), n));
      ensureCandidates(found);
      double kept = 0;
      for (int i = 0; i < found; i++) {
        candidateIds[i] = top.index(i);
        candidate[i] = (float) Math.exp((top.value(i) - max) * invT);
        kept += candidate[i];
      }
      return nucleus(found, kept);
    }
    float[] p = probabilities(n);
    double total = 0;
    for (int i = 0; i < n; i++) {
      float d = (row[i] - max) * invT;
      // exp(-30) is below float precision of the sum: skip the call for the long tail.
      float v = d < -TAIL ? 0f : exp(d);
      p[i] = v;
      total += v;
    }
    if (params.topP() >= 1) {
      return draw(p, n, params.minP() <= 0 ? total : dropBelow((float) params.minP(), p, n));
    }
    return nucleusOfRow(row, p, n, max, invT, total);
  }

  /**
   * min_p alone needs no ranking: with the most likely token at probability 1 here, every token
   * below {@code floor} is zeroed in {@code p}. Returns the mass that is left.
   */
  private static double dropBelow(float floor, float[] p, int n) {
    double kept = 0;
    for (int i = 0; i < n; i++) {
      if (p[i] < floor) {
        p[i] = 0f;
      } else {
        kept += p[i];
      }
    }
    return kept;
  }

  /**
   * Top-p (and min-p) over a whole row without sorting it: a histogram of the probability mass by
   * log-probability finds the bucket where the cumulative mass reaches top_p; only that bucket's
   * tokens are ordered.
   */
  private int nucleusOfRow(float[] row, float[] p, int n, float max, float invT, double total) {
    double[] mass = bucketMass;
    Arrays.fill(mass, 0);
    for (int i = 0; i < n; i++) {
      mass[bucket((row[i] - max) * invT)] += p[i];
    }
    double target = params.topP() * total;
    int boundary = BUCKETS - 1;
    double before = 0;
    for (int b = 0; b < BUCKETS; b++) {
      if (before + mass[b] >= target) {
        boundary = b;
        break;
      }
      before += mass[b];
    }
    // The most likely token has probability 1 here (logit == max), so min_p's floor is min_p.
    float floor = (float) params.minP();
    ensureCandidates(n);
    int found = 0;
    int edge = 0;
    for (int i = 0; i < n; i++) {
      int b = bucket((row[i] - max) * invT);
      if (b < boundary) {
        candidateIds[found] = i;
        candidate[found++] = p[i];
      } else if (b == boundary) {
        edgeIds[edge] = i;
        edgeValues[edge++] = p[i];
      }
    }
    // In the boundary bucket, take the most likely until the mass reaches top_p.
    int ranked = top.select(edgeValues, edge, edge);
    for (int r = 0; r < ranked && (before < target || found == 0); r++) {
      candidateIds[found] = edgeIds[top.index(r)];
      candidate[found++] = top.value(r);
      before += top.value(r);
    }
    double kept = 0;
    int size = 0;
    for (int i = 0; i < found; i++) {
      if (candidate[i] >= floor || candidate[i] == 1f) {
        candidateIds[size] = candidateIds[i];
        candidate[size++] = candidate[i];
        kept += candidate[i];
      }
    }
    double u = random.nextDouble() * kept;
    for (int i = 0; i < size; i++) {
      u -= candidate[i];
      if (u < 0) {
        return candidateIds[i];
      }
    }
    return candidateIds[size - 1];
  }

  /** Top-p and min-p over candidates ordered most likely first (the top-k). */
  private int nucleus(int found, double norm) {
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
        return candidateIds[i];
      }
    }
    return candidateIds[end - 1];
  }

  /**
   * e^x for x in [-TAIL, 0] to within about 2e-6 relative error (float rounding of x·log2(e)), several times faster than
   * {@link Math#exp} (the full-vocabulary softmax is the sampler's main cost): x·log2(e) is split
   * into an integer n (the exponent bits) and f in [-0.5, 0.5], whose 2^f is a degree-6 series.
   */
  static float exp(float x) {
    float t = x * 1.442695041f;
    float n = Math.round(t);
    float f = (t - n) * 0.693147181f;
    float poly = 1f + f * (1f + f * (0.5f + f * (0.166666667f + f * (0.041666667f + f * (0.008333333f + f * 0.001388889f)))));
    return Float.intBitsToFloat(((int) n + 127) << 23) * poly;
  }

  private static int bucket(float logProbability) {
    int b = (int) (-logProbability * (BUCKETS / TAIL));
    return Math.min(b, BUCKETS - 1);
  }

  private void ensureCandidates(int size) {
    if (candidate.length < size) {
      candidate = new float[size];
      candidateIds = new int[size];
      edgeValues = new float[size];
      edgeIds = new int[size];
    }
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
