package dev.modelhost.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A deterministic stand-in for a model: after any prompt, the k-th generated position strongly
 * prefers {@code script[k]} (then {@code filler}). With a peak of 0 every token is equally likely.
 * Records what it was fed so tests can check batching and cache handling.
 */
final class ScriptedDecoder implements Decoder {

  private final DecoderConfig config;
  private final int[] script;
  private final int filler;
  private final float peak;
  final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
  final List<int[]> prompts = Collections.synchronizedList(new ArrayList<>());
  /** Per step, the number of tokens of each entry. */
  final List<int[]> stepTokens = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger openStates = new AtomicInteger();
  /** Runs at the start of every step, on the stepping thread. */
  volatile Consumer<List<Step>> beforeStep = batch -> { };
  volatile boolean closed;
  /** The step (0-based) at which the decoder fails as a broken runtime would, or -1. */
  volatile int failAtStep = -1;

  ScriptedDecoder(int vocabSize, int contextWindow, Set<Integer> eos, int[] script, int filler, float peak) {
    this.config = new DecoderConfig("scripted", vocabSize, contextWindow, eos);
    this.script = script.clone();
    this.filler = filler;
    this.peak = peak;
  }

  @Override
  public DecoderConfig config() {
    return config;
  }

  @Override
  public DecoderState newState() {
    openStates.incrementAndGet();
    return new State();
  }

  @Override
  public float[][] step(List<Step> batch) {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (batchSizes.size() == failAtStep) {
      throw new IllegalStateException("runtime fault");
    }
    beforeStep.accept(batch);
    batchSizes.add(batch.size());
    stepTokens.add(batch.stream().mapToInt(step -> step.tokens().length).toArray());
    float[][] logits = new float[batch.size()][config.vocabSize()];
    for (int i = 0; i < batch.size(); i++) {
      State state = (State) batch.get(i).state();
      if (state.closed) {
        throw new IllegalStateException("state closed");
      }
      int[] tokens = batch.get(i).tokens();
      if (state.promptLength < 0) {
        state.promptLength = tokens.length;
        prompts.add(tokens.clone());
      }
      state.length += tokens.length;
      if (state.length > config.contextWindow()) {
        throw new IllegalStateException("past the context window");
      }
      int generated = state.length - state.promptLength;
      int next = generated < script.length ? script[generated] : filler;
      logits[i][next] = peak;
    }
    return logits;
  }

  @Override
  public void close() {
    closed = true;
  }

  private final class State implements DecoderState {
    int length;
    int promptLength = -1;
    boolean closed;

    @Override
    public int length() {
      return length;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        openStates.decrementAndGet();
      }
    }
  }
}
