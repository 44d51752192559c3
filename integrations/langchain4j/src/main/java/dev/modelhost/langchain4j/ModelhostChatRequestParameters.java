package dev.modelhost.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * LangChain4j's common chat parameters plus those a Modelhost service reads beyond them:
 * {@code seed} (reproducible sampling), {@code min_p}, {@code repetition_penalty} and
 * {@code parallel_tool_calls}.
 */
public class ModelhostChatRequestParameters extends DefaultChatRequestParameters {

  public static final ModelhostChatRequestParameters EMPTY = builder().build();

  private final @Nullable Long seed;
  private final @Nullable Double minP;
  private final @Nullable Double repetitionPenalty;
  private final @Nullable Boolean parallelToolCalls;

  private ModelhostChatRequestParameters(Builder builder) {
    super(builder);
    this.seed = builder.seed;
    this.minP = builder.minP;
    this.repetitionPenalty = builder.repetitionPenalty;
    this.parallelToolCalls = builder.parallelToolCalls;
  }

  public @Nullable Long seed() {
    return seed;
  }

  public @Nullable Double minP() {
    return minP;
  }

  public @Nullable Double repetitionPenalty() {
    return repetitionPenalty;
  }

  /** False allows at most one tool call per answer. */
  public @Nullable Boolean parallelToolCalls() {
    return parallelToolCalls;
  }

  @Override
  public ModelhostChatRequestParameters overrideWith(ChatRequestParameters that) {
    return builder().overrideWith(this).overrideWith(that).build();
  }

  @Override
  public ModelhostChatRequestParameters defaultedBy(ChatRequestParameters that) {
    return builder().overrideWith(that).overrideWith(this).build();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ModelhostChatRequestParameters that
        && super.equals(that)
        && Objects.equals(seed, that.seed)
        && Objects.equals(minP, that.minP)
        && Objects.equals(repetitionPenalty, that.repetitionPenalty)
        && Objects.equals(parallelToolCalls, that.parallelToolCalls);
  }

  @Override
  public int hashCode() {
    return Objects.hash(super.hashCode(), seed, minP, repetitionPenalty, parallelToolCalls);
  }

  @Override
  public String toString() {
    return "ModelhostChatRequestParameters{" + super.toString() + ", seed=" + seed + ", minP=" + minP
        + ", repetitionPenalty=" + repetitionPenalty + ", parallelToolCalls=" + parallelToolCalls + "}";
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder extends DefaultChatRequestParameters.Builder<Builder> {

    private @Nullable Long seed;
    private @Nullable Double minP;
    private @Nullable Double repetitionPenalty;
    private @Nullable Boolean parallelToolCalls;

    private Builder() {}

    /** Takes every parameter {@code parameters} sets, Modelhost's own too when it has them. */
    @Override
    public Builder overrideWith(ChatRequestParameters parameters) {
      super.overrideWith(parameters);
      if (parameters instanceof ModelhostChatRequestParameters that) {
        seed = that.seed != null ? that.seed : seed;
        minP = that.minP != null ? that.minP : minP;
        repetitionPenalty = that.repetitionPenalty != null ? that.repetitionPenalty : repetitionPenalty;
        parallelToolCalls = that.parallelToolCalls != null ? that.parallelToolCalls : parallelToolCalls;
      }
      return this;
    }

    public Builder seed(@Nullable Long seed) {
      this.seed = seed;
      return this;
    }

    public Builder minP(@Nullable Double minP) {
      this.minP = minP;
      return this;
    }

    public Builder repetitionPenalty(@Nullable Double repetitionPenalty) {
      this.repetitionPenalty = repetitionPenalty;
      return this;
    }

    public Builder parallelToolCalls(@Nullable Boolean parallelToolCalls) {
      this.parallelToolCalls = parallelToolCalls;
      return this;
    }

    @Override
    public ModelhostChatRequestParameters build() {
      return new ModelhostChatRequestParameters(this);
    }
  }
}
