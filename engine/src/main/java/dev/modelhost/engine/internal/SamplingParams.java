package dev.modelhost.engine.internal;

import dev.modelhost.exception.InvalidRequestException;
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
public record SamplingParams(
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

  /** OpenAI's largest {@code top_logprobs}. */
  public static final int MAX_TOP_LOGPROBS = 20;

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

  /** Collects and checks the settings that the engine (rather than core) knows the limits of. */
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
    // Only the request's own values are checked here: the model's defaults were checked at load.
    check(temperature == null || (temperature >= 0 && temperature <= 2), "temperature", "must be between 0 and 2");
    check(topP == null || (topP > 0 && topP <= 1), "top_p", "must be greater than 0 and at most 1");
    check(topK == null || topK >= -1, "top_k", "must be -1 (no limit), 0 (no limit) or positive");
    check(minP == null || (minP >= 0 && minP <= 1), "min_p", "must be between 0 and 1");
    check(repetitionPenalty == null || (repetitionPenalty > 0 && repetitionPenalty <= 10), "repetition_penalty",
        "must be greater than 0 and at most 10");
    double t = pick(temperature, defaults.temperature(), 1.0);
    double p = pick(topP, defaults.topP(), 1.0);
    int k = topK != null ? topK : defaults.topK() != null ? defaults.topK() : 0;
    double mp = pick(minP, defaults.minP(), 0.0);
    double rp = pick(repetitionPenalty, defaults.repetitionPenalty(), 1.0);
    double pp = presencePenalty == null ? 0 : presencePenalty;
    double fp = frequencyPenalty == null ? 0 : frequencyPenalty;
    check(pp >= -2 && pp <= 2, "presence_penalty", "must be between -2 and 2");
    check(fp >= -2 && fp <= 2, "frequency_penalty", "must be between -2 and 2");
    check(topLogprobs <= MAX_TOP_LOGPROBS, "top_logprobs", "must be at most " + MAX_TOP_LOGPROBS);
    check(maxTokens == null || maxTokens >= 0, "max_tokens", "must not be negative");
    int[] ids = new int[logitBias == null ? 0 : logitBias.size()];
    float[] values = new float[ids.length];
    if (logitBias != null) {
      int i = 0;
      for (Map.Entry<String, Double> e : logitBias.entrySet()) {
        int id;
        try {
          id = Integer.parseInt(e.getKey().trim());
        } catch (NumberFormatException ex) {
          throw new InvalidRequestException(
              "Invalid key in 'logit_bias': '" + e.getKey() + "' is not a token id.", "logit_bias", "invalid_value");
        }
        check(id >= 0 && id < vocabSize, "logit_bias", "has token id " + id + ", outside the vocabulary (0.." + (vocabSize - 1) + ")");
        Double bias = e.getValue();
        check(bias != null && bias >= -100 && bias <= 100, "logit_bias", "values must be between -100 and 100");
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
