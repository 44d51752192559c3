package dev.modelhost.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Chat {@code logprobs} of a choice: one entry per generated token; both fields are always written. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChoiceLogprobs(
    @JsonProperty("content") @Nullable List<TokenLogprob> content,
    @JsonProperty("refusal") @Nullable List<TokenLogprob> refusal) {

  public ChoiceLogprobs {
    content = content == null ? null : List.copyOf(content);
    refusal = refusal == null ? null : List.copyOf(refusal);
  }

  public static ChoiceLogprobs of(List<TokenLogprob> content) {
    return new ChoiceLogprobs(content, null);
  }

  /**
   * A token with its log probability, its UTF-8 bytes and the most likely alternatives. Every field
   * is written; {@code bytes} is null when the token has no byte representation.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record TokenLogprob(
      @JsonProperty("token") String token,
      @JsonProperty("logprob") double logprob,
      @JsonProperty("bytes") @Nullable List<Integer> bytes,
      @JsonProperty("top_logprobs") List<TopLogprob> topLogprobs) {

    public TokenLogprob {
      bytes = bytes == null ? null : List.copyOf(bytes);
      topLogprobs = List.copyOf(topLogprobs);
    }
  }

  /** An alternative token; every field is written, as in {@link TokenLogprob}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record TopLogprob(
      @JsonProperty("token") String token,
      @JsonProperty("logprob") double logprob,
      @JsonProperty("bytes") @Nullable List<Integer> bytes) {

    public TopLogprob {
      bytes = bytes == null ? null : List.copyOf(bytes);
    }
  }
}
