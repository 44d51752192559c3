package dev.modelhost.engine.internal;

import dev.modelhost.api.ChoiceLogprobs.TokenLogprob;
import dev.modelhost.api.ChoiceLogprobs.TopLogprob;
import dev.modelhost.api.ToolCall;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.engine.internal.grammar.TokenConstraint;
import dev.modelhost.engine.internal.tools.ToolCallStream;
import dev.modelhost.spi.ChoiceDelta;
import dev.modelhost.spi.GenerationListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One choice being generated: its KV cache, sampler, text stream and limits, and the request
 * ({@link Generation}) it belongs to. Everything that differs between requests lives here, so that
 * a {@link StepLoop} steps sequences of many requests together. Used by one thread at a time.
 */
final class Sequence implements AutoCloseable {

  private static final boolean[] NO_TOKENS = new boolean[0];

  private final int index;
  private final int[] prompt;
  private final Generation generation;
  private final DecoderState state;
  private final TokenSampler sampler;
  private final TextStream text;
  private final TextTokenizer tokenizer;
  private final boolean[] eos;
  private final int maxTokens;
  private final GenerationListener listener;
  private final @Nullable ToolCallStream toolCalls;
  private final @Nullable GrammarCursor grammar;
  private int generated;
  /** Prompt tokens already fed to the decoder. */
  private int fed;
  private int lastToken = -1;
  private @Nullable String finishReason;

  /**
   * @param eos tokens that end the sequence, indexed by id
   * @param toolCalls reads tool calls out of the answer; null when none are looked for
   * @param toolMarkers special tokens, by id, shown as text when tool calls are looked for or the
   *     output is constrained (the constraint's vocabulary counts them as their text)
   * @param constraint the grammar the output is held to, or null
   */
  public Sequence(
      int index,
      int[] prompt,
      DecoderState state,
      TokenSampler sampler,
      TextTokenizer tokenizer,
      boolean[] eos,
      int maxTokens,
      @Nullable ToolCallStream toolCalls,
      boolean[] toolMarkers,
      @Nullable TokenConstraint constraint,
      Generation generation) {
    this.index = index;
    this.prompt = prompt;
    this.generation = generation;
    this.state = state;
    this.sampler = sampler;
    this.tokenizer = tokenizer;
    this.text = new TextStream(tokenizer, toolCalls == null && constraint == null ? NO_TOKENS : toolMarkers,
        sampler.params().stop());
    this.eos = eos;
    this.maxTokens = maxTokens;
    this.listener = generation.listener();
    this.toolCalls = toolCalls;
    this.grammar = constraint == null ? null : new GrammarCursor(constraint);
  }

  public DecoderState state() {
    return state;
  }

  /** The request this choice belongs to. */
  public Generation generation() {
    return generation;
  }

  /** Whether prompt tokens remain to be fed. */
  public boolean prefilling() {
    return fed < prompt.length;
  }

  /**
   * The most tokens this sequence's KV cache can come to hold: its prompt and its completion
   * limit (never more than the context window, which the limit was checked against).
   */
  public int kvCacheTokens() {
    return prompt.length + maxTokens;
  }

  /** Prompt tokens not yet fed. */
  public int promptLeft() {
    return prompt.length - fed;
  }

  /**
   * The tokens to feed next, counted as fed: at most {@code promptBudget} of the prompt while it
   * lasts, then the last sampled token. The step after the prompt's last chunk yields the logits
   * of the first generated token.
   */
  public int[] nextInput(int promptBudget) {
    if (!prefilling()) {
      return new int[] {lastToken};
    }
    int to = Math.min(prompt.length, fed + Math.max(1, promptBudget));
    int[] chunk = fed == 0 && to == prompt.length ? prompt : Arrays.copyOfRange(prompt, fed, to);
    fed = to;
    return chunk;
  }

  public boolean finished() {
    return finishReason != null;
  }

  /** Tokens generated so far (the EOS token included). */
  public int generated() {
    return generated;
  }

  /** Ends at once with {@code length} (a limit of zero tokens). */
  public void finishEmpty() {
    finish("length", "");
  }

  /** Takes the logits of this sequence's last position: samples, emits, and maybe finishes. */
  public void onLogits(float[] row) {
    sampler.adjust(row);
    if (grammar != null) {
      grammar.mask(row);
    }
    TokenLogprob[] logprob = null;
    TopK top = null;
    double logSumExp = 0;
    SamplingParams params = sampler.params();
    if (params.logprobs()) {
      logSumExp = TokenSampler.logSumExp(row);
      if (params.topLogprobs() > 0) {
        top = sampler.top(row, params.topLogprobs());
      }
    }
    List<TopLogprob> alternatives = List.of();
    if (top != null) {
      alternatives = new ArrayList<>(top.size());
      for (int i = 0; i < top.size(); i++) {
        int id = top.index(i);
        alternatives.add(new TopLogprob(tokenizer.display(id), logprob(top.value(i), logSumExp), bytesOf(id)));
      }
    }
    int token = sampler.sample(row);
    if (params.logprobs()) {
      logprob = new TokenLogprob[] {
        new TokenLogprob(tokenizer.display(token), logprob(row[token], logSumExp), bytesOf(token), alternatives)
      };
    }
    generated++;
    lastToken = token;
    sampler.accept(token);
    if (grammar != null) {
      grammar.accept(token);
    }
    List<TokenLogprob> logprobs = logprob == null ? null : List.of(logprob);
    if (token < eos.length && eos[token]) {
      emit(logprobs, "");
      finish("stop", text.finish());
      return;
    }
    String out = text.accept(token);
    if (text.stopped()) {
      emit(logprobs, out);
      finish("stop", "");
    } else if (grammar != null && grammar.complete()) {
      // The constrained output is whole: nothing but an end token could follow.
      emit(logprobs, out);
      finish("stop", text.finish());
    } else if (generated >= maxTokens) {
      emit(logprobs, out);
      finish("length", text.finish());
    } else {
      emit(logprobs, out);
    }
  }

  private void emit(@Nullable List<TokenLogprob> logprobs, String out) {
    if (toolCalls == null) {
      deliver(out, List.of(), logprobs, null);
    } else {
      ToolCallStream.Step step = toolCalls.accept(out);
      deliver(step.content(), step.calls(), logprobs, null);
    }
  }

  private void finish(String reason, String tail) {
    finishReason = reason;
    if (toolCalls == null) {
      deliver(tail, List.of(), null, reason);
      return;
    }
    ToolCallStream.Step last = toolCalls.finish(tail);
    // An answer cut by the token limit says so, even when calls before the cut were whole.
    if (toolCalls.calledTools() && !reason.equals("length")) {
      finishReason = "tool_calls";
    }
    deliver(last.content(), last.calls(), null, finishReason);
  }

  /** Sends text with the tokens' logprobs, then one delta per tool-call fragment, as OpenAI does. */
  private void deliver(String text, List<ToolCall> calls, @Nullable List<TokenLogprob> logprobs, @Nullable String reason) {
    String content = text.isEmpty() ? null : text;
    if (calls.isEmpty()) {
      if (content != null || logprobs != null || reason != null) {
        listener.onDelta(new ChoiceDelta(index, content, null, logprobs, reason));
      }
      return;
    }
    for (int i = 0; i < calls.size(); i++) {
      boolean first = i == 0;
      listener.onDelta(new ChoiceDelta(index, first ? content : null, List.of(calls.get(i)), first ? logprobs : null,
          i == calls.size() - 1 ? reason : null));
    }
  }

  private static double logprob(float logit, double logSumExp) {
    return logit == Float.NEGATIVE_INFINITY ? -9999.0 : logit - logSumExp;
  }

  private List<Integer> bytesOf(int token) {
    byte[] b = tokenizer.bytes(token);
    List<Integer> out = new ArrayList<>(b.length);
    for (byte x : b) {
      out.add(x & 0xff);
    }
    return out;
  }

  @Override
  public void close() {
    state.close();
  }
}
