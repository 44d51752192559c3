package dev.modelhost.engine.internal;

import dev.modelhost.api.ChoiceLogprobs.TokenLogprob;
import dev.modelhost.api.ChoiceLogprobs.TopLogprob;
import dev.modelhost.api.ToolCall;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.engine.internal.grammar.TokenConstraint;
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
  private final @Nullable StringBuilder toolText;
  private final @Nullable GrammarCursor grammar;
  private int generated;
  /** Prompt tokens already fed to the decoder. */
  private int fed;
  /** Whether no text has been emitted yet (tool mode keeps leading blank text back). */
  private boolean emittedNothing = true;
  private int lastToken = -1;
  private @Nullable String finishReason;

  /**
   * @param eos tokens that end the sequence, indexed by id
   * @param tools whether the answer is scanned for tool calls
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
      boolean tools,
      @Nullable TokenConstraint constraint,
      Generation generation) {
    this.index = index;
    this.prompt = prompt;
    this.generation = generation;
    this.state = state;
    this.sampler = sampler;
    this.tokenizer = tokenizer;
    this.text = new TextStream(tokenizer, sampler.params().stop());
    this.eos = eos;
    this.maxTokens = maxTokens;
    this.listener = generation.listener();
    this.toolText = tools ? new StringBuilder() : null;
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
    String visible = route(out);
    if (!visible.isEmpty() || logprobs != null) {
      listener.onDelta(new ChoiceDelta(index, visible.isEmpty() ? null : visible, null, logprobs, null));
    }
  }

  /** With tools on, text from the first {@code <tool_call>} on is kept back for parsing. */
  private String route(String out) {
    if (toolText == null) {
      return out;
    }
    toolText.append(out);
    int open = toolText.indexOf(ToolCalls.OPEN);
    if (open >= 0) {
      return "";
    }
    // Hold what may still become "<tool_call>", and leading blank text that may precede a call.
    int hold = 0;
    for (int len = Math.min(ToolCalls.OPEN.length() - 1, toolText.length()); len > 0; len--) {
      if (ToolCalls.OPEN.startsWith(toolText.substring(toolText.length() - len))) {
        hold = len;
        break;
      }
    }
    String ready = toolText.substring(0, toolText.length() - hold);
    if (ready.isBlank() && emittedNothing) {
      return "";
    }
    toolText.delete(0, ready.length());
    emittedNothing = false;
    return ready;
  }

  private void finish(String reason, String tail) {
    String last = tail;
    List<ToolCall> calls = null;
    if (toolText != null) {
      toolText.append(tail);
      String all = toolText.toString();
      toolText.setLength(0);
      ToolCalls.Parsed parsed = all.contains(ToolCalls.OPEN) ? ToolCalls.parse(all) : null;
      if (parsed != null && !parsed.calls().isEmpty()) {
        calls = parsed.calls();
        last = parsed.content() == null ? "" : parsed.content();
        reason = "tool_calls";
      } else {
        last = emittedNothing && all.isBlank() ? "" : all;
      }
    }
    finishReason = reason;
    listener.onDelta(new ChoiceDelta(index, last.isEmpty() ? null : last, calls, null, reason));
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
