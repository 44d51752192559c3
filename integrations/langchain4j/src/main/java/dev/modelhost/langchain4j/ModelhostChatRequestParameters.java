package dev.modelhost.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * LangChain4j's common chat parameters plus those a Modelhost service reads beyond them:
 * {@code seed} (reproducible sampling), {@code min_p} and {@code repetition_penalty}.
 */
public class ModelhostChatRequestParameters extends DefaultChatRequestParameters {

  public static final ModelhostChatRequestParameters EMPTY = builder().build();

  private final @Nullable Long seed;
  private final @Nullable Double minP;
  private final @Nullable Double repetitionPenalty;

  private ModelhostChatRequestParameters(Builder builder) {
    super(builder);
    this.seed = builder.seed;
    this.minP = builder.minP;
    this.repetitionPenalty = builder.repetitionPenalty;
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
        && Objects.equals(repetitionPenalty, that.repetitionPenalty);
  }

  @Override
  public int hashCode() {
    return Objects.hash(super.hashCode(), seed, minP, repetitionPenalty);
  }

  @Override
  public String toString() {
    return "ModelhostChatRequestParameters{" + super.toString() + ", seed=" + seed + ", minP=" + minP
        + ", repetitionPenalty=" + repetitionPenalty + "}";
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder extends DefaultChatRequestParameters.Builder<Builder> {

    private @Nullable Long seed;
    private @Nullable Double minP;
    private @Nullable Double repetitionPenalty;

    private Builder() {}

    /** Takes every parameter {@code parameters} sets, Modelhost's own too when it has them. */
    @Override
    public Builder overrideWith(@Nullable ChatRequestParameters parameters) {
      super.overrideWith(parameters);
      if (parameters instanceof ModelhostChatRequestParameters that) {
        seed = that.seed != null ? that.seed : seed;
        minP = that.minP != null ? that.minP : minP;
        repetitionPenalty = that.repetitionPenalty != null ? that.repetitionPenalty : repetitionPenalty;
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

    @Override
    public ModelhostChatRequestParameters build() {
      return new ModelhostChatRequestParameters(this);
    }
  }
}
