package dev.modelhost.engine.internal;

import dev.modelhost.exception.InvalidRequestException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How one choice is sampled, resolved from a request, the model's generation config and OpenAI's
 * defaults.
 *
 * @param temperature 0 (or below {@link #MIN_TEMPERATURE}) for greedy
 * @param topK 0 for no limit
 * @param logitBiasIds token ids with a bias, parallel to {@code logitBiasValues}
 * @param topLogprobs alternatives reported per token; -1 when no log probabilities are wanted
 * @param seed null for a random seed
 * @param maxTokens the explicit completion limit, null for the rest of the context window
 */
record SamplingParams(
    double temperature,
    double topP,
    int topK,
    double minP,
    double presencePenalty,
    double frequencyPenalty,
    double repetitionPenalty,
    int[] logitBiasIds,
    float[] logitBiasValues,
    int topLogprobs,
    @Nullable Long seed,
    @Nullable Integer maxTokens,
    List<String> stop) {

  /**
   * Temperatures below this sample greedily, as in vLLM: dividing float logits by a smaller one
   * overflows to infinity and the distribution to NaN.
   */
  public static final double MIN_TEMPERATURE = 1e-5;

  public SamplingParams {
    stop = List.copyOf(stop);
    logitBiasIds = logitBiasIds.clone();
    logitBiasValues = logitBiasValues.clone();
  }

  /** Whether log probabilities are reported. */
  public boolean logprobs() {
    return topLogprobs >= 0;
  }

  /** Whether the token is always the most likely one. */
  public boolean greedy() {
    return temperature < MIN_TEMPERATURE || topK == 1;
  }

  /**
   * Collects the settings and checks what core's request validator cannot: token ids against the
   * vocabulary, {@code top_p} above 0 and {@code repetition_penalty} at most 10.
   *
   * <p>{@code logit_bias} keys are parsed as integers, so {@code "05"} and {@code "5"} both name
   * token 5; a request that names one token twice is refused (400) rather than biased twice or
   * by whichever key happens to come last.
   */
  static SamplingParams resolve(
      GenerationConfig defaults,
      int vocabSize,
      @Nullable Double temperature,
      @Nullable Double topP,
      @Nullable Integer topK,
      @Nullable Double minP,
      @Nullable Double presencePenalty,
      @Nullable Double frequencyPenalty,
      @Nullable Double repetitionPenalty,
      @Nullable Map<String, Double> logitBias,
      int topLogprobs,
      @Nullable Long seed,
      @Nullable Integer maxTokens,
      @Nullable List<String> stop) {
    // Core's request validator has checked every range it knows; these are the engine's own limits.
    // The model's defaults were checked when it loaded.
    check(topP == null || topP > 0, "top_p", "must be greater than 0 and at most 1");
    check(repetitionPenalty == null || repetitionPenalty <= 10, "repetition_penalty",
        "must be greater than 0 and at most 10");
    double t = pick(temperature, defaults.temperature(), 1.0);
    double p = pick(topP, defaults.topP(), 1.0);
    int k = topK != null ? topK : defaults.topK() != null ? defaults.topK() : 0;
    double mp = pick(minP, defaults.minP(), 0.0);
    double rp = pick(repetitionPenalty, defaults.repetitionPenalty(), 1.0);
    double pp = presencePenalty == null ? 0 : presencePenalty;
    double fp = frequencyPenalty == null ? 0 : frequencyPenalty;
    int[] ids = new int[logitBias == null ? 0 : logitBias.size()];
    float[] values = new float[ids.length];
    if (logitBias != null) {
      Map<Integer, String> keys = new HashMap<>();
      int i = 0;
      for (Map.Entry<String, Double> e : logitBias.entrySet()) {
        int id = Integer.parseInt(e.getKey());
        check(id < vocabSize, "logit_bias", "has token id " + id + ", outside the vocabulary (0.." + (vocabSize - 1) + ")");
        String other = keys.putIfAbsent(id, e.getKey());
        check(other == null, "logit_bias", "keys '" + other + "' and '" + e.getKey() + "' both name token " + id);
        Double bias = e.getValue();
        check(bias != null, "logit_bias", "values must be numbers between -100 and 100");
        ids[i] = id;
        values[i] = bias.floatValue();
        i++;
      }
    }
    return new SamplingParams(t, p, Math.max(k, 0), mp, pp, fp, rp, ids, values, topLogprobs, seed, maxTokens,
        stop == null ? List.of() : stop.stream().filter(s -> !s.isEmpty()).toList());
  }

  private static double pick(@Nullable Double request, @Nullable Double model, double fallback) {
    return request != null ? request : model != null ? model : fallback;
  }

  private static void check(boolean ok, String param, String message) {
    if (!ok) {
      throw new InvalidRequestException("Invalid '" + param + "': " + message + ".", param, "invalid_value");
    }
  }
}
