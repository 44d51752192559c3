package dev.modelhost.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.exception.InvalidRequestException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {

  /** Log-probabilities of 0.5, 0.3, 0.15, 0.05. */
  private static final float[] SKEWED = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15), (float) Math.log(0.05)};

  private static SamplingParams params(
      Double temperature, Double topP, Integer topK, Double minP, Map<String, Double> bias, Long seed) {
    return SamplingParams.resolve(GenerationConfig.none(), 10_000, temperature, topP, topK, minP, null, null, null,
        bias, -1, seed, null, null);
  }

  private static TokenSampler sampler(SamplingParams params, int vocab, long seed) {
    return new TokenSampler(params, vocab, new SplittableRandom(seed), new int[0]);
  }

  private static Set<Integer> support(TokenSampler sampler, float[] logits, int draws) {
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < draws; i++) {
      float[] row = logits.clone();
      sampler.adjust(row);
      seen.add(sampler.sample(row));
    }
    return seen;
  }

  @Test
  void temperatureZeroPicksTheArgmax() {
    TokenSampler sampler = sampler(params(0.0, null, null, null, null, null), 4, 1);
    float[] row = {0.1f, 2.5f, -1f, 2.4f};
    sampler.adjust(row);
    assertThat(sampler.sample(row)).isEqualTo(1);
  }

  @Test
  void aTemperatureTooSmallToDivideByPicksTheArgmax() {
    // 1 / 1e-39 overflows a float: sampling must not turn into NaN and fall back to token 0.
    for (Integer topK : new Integer[] {null, 3}) {
      TokenSampler sampler = sampler(params(1e-39, null, topK, null, null, 5L), 4, 1);
      float[] row = {0.1f, 2.5f, -1f, 2.4f};
      sampler.adjust(row);
      assertThat(sampler.sample(row)).isEqualTo(1);
    }
  }

  @Test
  void fullDistributionReachesEveryToken() {
    assertThat(support(sampler(params(1.0, null, null, null, null, null), 4, 7), SKEWED, 2000)).containsExactlyInAnyOrder(0, 1, 2, 3);
  }

  @Test
  void sameSeedGivesSameTokensAndOtherSeedsOthers() {
    float[] flat = new float[1000];
    int[] a = new int[50];
    int[] b = new int[50];
    int[] c = new int[50];
    TokenSampler sa = sampler(params(1.0, null, null, null, null, null), 1000, 42);
    TokenSampler sb = sampler(params(1.0, null, null, null, null, null), 1000, 42);
    TokenSampler sc = sampler(params(1.0, null, null, null, null, null), 1000, 43);
    for (int i = 0; i < 50; i++) {
      a[i] = sa.sample(flat.clone());
      b[i] = sb.sample(flat.clone());
      c[i] = sc.sample(flat.clone());
    }
    assertThat(a).isEqualTo(b);
    assertThat(a).isNotEqualTo(c);
  }

  @Test
  void topKRestrictsToTheKMostLikely() {
    assertThat(support(sampler(params(1.0, null, 2, null, null, null), 4, 3), SKEWED, 2000)).containsExactlyInAnyOrder(0, 1);
  }

  @Test
  void topPKeepsTheSmallestSetCoveringP() {
    assertThat(support(sampler(params(1.0, 0.7, null, null, null, null), 4, 3), SKEWED, 2000)).containsExactlyInAnyOrder(0, 1);
    assertThat(support(sampler(params(1.0, 0.85, null, null, null, null), 4, 3), SKEWED, 2000)).containsExactlyInAnyOrder(0, 1, 2);
  }

  @Test
  void topPAfterTopKWorksOnTheRenormalisedTopK() {
    // Top 3 renormalised: 0.526, 0.316, 0.158; the first two cover 0.84, the full distribution's do not.
    assertThat(support(sampler(params(1.0, 0.84, 3, null, null, null), 4, 3), SKEWED, 2000)).containsExactlyInAnyOrder(0, 1);
    assertThat(support(sampler(params(1.0, 0.84, null, null, null, null), 4, 3), SKEWED, 2000)).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(support(sampler(params(1.0, null, 3, 0.5, null, null), 4, 3), SKEWED, 2000)).containsExactlyInAnyOrder(0, 1);
  }

  @Test
  void topPOverANearlyFlatVocabularyStopsExactlyWhereTheMassReachesP() {
    int vocab = 3_000;
    float[] logits = new float[vocab];
    for (int i = 0; i < vocab; i++) {
      logits[i] = -i * 3e-5f;
    }
    // Half of the mass lies in tokens 0..1466 (geometric series).
    Set<Integer> seen = support(sampler(params(1.0, 0.5, null, null, null, null), vocab, 5), logits, 100);
    assertThat(seen).allMatch(t -> t <= 1467);
    assertThat(seen).anyMatch(t -> t > 1300);
  }

  @Test
  void minPDropsTokensBelowAFractionOfTheMostLikely() {
    assertThat(support(sampler(params(1.0, null, null, 0.5, null, null), 4, 3), SKEWED, 2000)).containsExactlyInAnyOrder(0, 1);
  }

  @Test
  void logitBiasOfMinus100BansAToken() {
    TokenSampler sampler = sampler(params(0.0, null, null, null, Map.of("1", -100.0), null), 4, 1);
    float[] row = {0.1f, 2.5f, -1f, 2.4f};
    sampler.adjust(row);
    assertThat(sampler.sample(row)).isEqualTo(3);
    assertThat(support(sampler(params(1.0, null, null, null, Map.of("0", -100.0), null), 4, 1), SKEWED, 2000))
        .doesNotContain(0);
  }

  @Test
  void positiveLogitBiasAdds() {
    TokenSampler sampler = sampler(params(0.0, null, null, null, Map.of("2", 5.0), null), 4, 1);
    float[] row = {0.1f, 2.5f, -1f, 2.4f};
    sampler.adjust(row);
    assertThat(row[2]).isEqualTo(4f);
  }

  @Test
  void presenceAndFrequencyPenaltiesFollowOpenAisFormula() {
    SamplingParams params = SamplingParams.resolve(GenerationConfig.none(), 4, 1.0, null, null, null, 0.5, 0.25, null,
        null, -1, null, null, null);
    TokenSampler sampler = new TokenSampler(params, 4, new SplittableRandom(1), new int[] {3});
    sampler.accept(1);
    sampler.accept(1);
    sampler.accept(2);
    float[] row = {1f, 1f, 1f, 1f};
    sampler.adjust(row);
    // logit - count * frequency - (count > 0) * presence; the prompt does not count.
    assertThat(row).containsExactly(1f, 1f - 2 * 0.25f - 0.5f, 1f - 0.25f - 0.5f, 1f);
  }

  @Test
  void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenTokens() {
    SamplingParams params = SamplingParams.resolve(GenerationConfig.none(), 4, 1.0, null, null, null, null, null, 2.0,
        null, -1, null, null, null);
    TokenSampler sampler = new TokenSampler(params, 4, new SplittableRandom(1), new int[] {0});
    sampler.accept(1);
    float[] row = {3f, -3f, 3f, -3f};
    sampler.adjust(row);
    assertThat(row).containsExactly(1.5f, -6f, 3f, -3f);
  }

  @Test
  void fastExpMatchesMathExpOverTheSampledRange() {
    double worst = 0;
    for (float x = -30f; x <= 0f; x += 0.0007f) {
      double exact = Math.exp(x);
      worst = Math.max(worst, Math.abs(TokenSampler.exp(x) - exact) / exact);
    }
    assertThat(worst).isLessThan(5e-6);
    assertThat(TokenSampler.exp(0f)).isEqualTo(1f);
  }

  @Test
  void logprobsOfARowSumToOne() {
    float[] row = {0.3f, -2f, 5f, 1f, 1f};
    double lse = TokenSampler.logSumExp(row);
    double sum = 0;
    for (float v : row) {
      sum += Math.exp(v - lse);
    }
    assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void topSelectionRanksMostLikelyFirst() {
    TokenSampler sampler = sampler(params(0.0, null, null, null, null, null), 5, 1);
    TopK top = sampler.top(new float[] {0.3f, -2f, 5f, 1f, 1f}, 3);
    assertThat(top.size()).isEqualTo(3);
    assertThat(List.of(top.index(0), top.index(1), top.index(2))).containsExactly(2, 3, 4);
  }

  @Test
  void modelDefaultsApplyWhenTheRequestLeavesThemOutAndAreNotBlamedOnIt() {
    GenerationConfig defaults = new GenerationConfig(Set.of(), 2.5, 0.9, 40, 0.05, 12.0);
    SamplingParams params = SamplingParams.resolve(defaults, 4, null, null, null, null, null, null, null,
        null, -1, null, null, null);
    assertThat(List.of(params.temperature(), params.topP(), params.topK(), params.minP(), params.repetitionPenalty()))
        .containsExactly(2.5, 0.9, 40, 0.05, 12.0);
    SamplingParams overridden = SamplingParams.resolve(defaults, 4, 0.5, 1.0, 0, 0.0, null, null, 1.0,
        null, -1, null, null, null);
    assertThat(List.of(overridden.temperature(), overridden.topP(), overridden.topK(), overridden.repetitionPenalty()))
        .containsExactly(0.5, 1.0, 0, 1.0);
  }

  @Test
  void logitBiasKeysAreTokenIdsAndTwoSpellingsOfOneIdAreRefused() {
    TokenSampler sampler = sampler(params(1.0, null, null, null, Map.of("03", 5.0), null), 4, 1);
    float[] row = {0f, 0f, 0f, 0f};
    sampler.adjust(row);
    assertThat(row).containsExactly(0f, 0f, 0f, 5f);
    Map<String, Double> twice = new java.util.LinkedHashMap<>();
    twice.put("05", 1.0);
    twice.put("5", 2.0);
    assertThatThrownBy(() -> params(null, null, null, null, twice, null))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.param()).isEqualTo("logit_bias");
          assertThat(e.httpStatus()).isEqualTo(400);
        })
        .hasMessageContaining("'05' and '5'")
        .hasMessageContaining("token 5");
  }

  @Test
  void rejectsSettingsOutsideTheEnginesOwnLimits() {
    assertThatThrownBy(() -> params(null, null, null, null, Map.of("10000", 1.0), null))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("outside the vocabulary");
    assertThatThrownBy(() -> params(null, 0.0, null, null, null, null))
        .isInstanceOf(InvalidRequestException.class)
        .satisfies(e -> assertThat(((InvalidRequestException) e).param()).isEqualTo("top_p"));
  }
}
