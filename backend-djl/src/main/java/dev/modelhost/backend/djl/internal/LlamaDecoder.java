package dev.modelhost.backend.djl.internal;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import dev.modelhost.engine.Decoder;
import dev.modelhost.engine.DecoderConfig;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.exception.ModelhostException;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A Llama-family decoder written with DJL NDArray operations on the PyTorch engine. The weights are
 * one set of arrays shared by every state; each {@link DecoderState} owns its KV cache in its own
 * {@link NDManager}. A step runs the projections and the MLP once for the new tokens of all
 * sequences together (the weights are read once per step, whatever the batch), and attention per
 * sequence against that sequence's cache, so sequences of different lengths need no padding.
 * Everything a step creates lives in a per-step manager (per layer, a child of it) that is closed
 * when the step ends.
 */
public final class LlamaDecoder implements Decoder {

  /** First KV cache allocation, in positions; it doubles as needed up to the context window. */
  private static final int INITIAL_CACHE_POSITIONS = 256;

  private final LlamaConfig config;
  private final DecoderConfig decoderConfig;
  private final NDManager weights;
  private final Layer[] layers;
  private final NDArray embedding;
  private final NDArray finalNorm;
  private final NDArray lmHead;
  private final NDArray invFreq;
  // Scalars as arrays: DJL turns every Number operand into a new native array.
  private final NDArray attentionScale;
  private final NDArray rmsNormEps;
  private volatile boolean closed;

  private record Layer(
      NDArray inputNorm,
      Linear q,
      Linear k,
      Linear v,
      Linear o,
      NDArray postNorm,
      Linear gate,
      Linear up,
      Linear down) {}

  /** A projection in Hugging Face layout: weight {@code [out, in]}, optional bias {@code [out]}. */
  private record Linear(NDArray weight, @Nullable NDArray bias) {

    NDArray apply(NDArray input) {
      // torch.nn.functional.linear: one GEMM reading the [out, in] weight transposed, bias fused.
      return input.getNDArrayInternal().linear(input, weight, bias).singletonOrThrow();
    }
  }

  private LlamaDecoder(LlamaConfig config, NDManager weights, SafetensorsWeights checkpoint) {
    this.config = config;
    this.weights = weights;
    this.decoderConfig = new DecoderConfig(
        config.modelType(), config.vocabSize(), config.maxPositions(), config.eosTokenIds());
    int hidden = config.hiddenSize();
    int qWidth = config.heads() * config.headDim();
    int kvWidth = config.kvHeads() * config.headDim();
    int inter = config.intermediateSize();
    embedding = tensor(checkpoint, "model.embed_tokens.weight", config.vocabSize(), hidden);
    layers = new Layer[config.layers()];
    for (int i = 0; i < layers.length; i++) {
      String p = "model.layers." + i + ".";
      layers[i] = new Layer(
          tensor(checkpoint, p + "input_layernorm.weight", hidden),
          linear(checkpoint, p + "self_attn.q_proj", qWidth, hidden),
          linear(checkpoint, p + "self_attn.k_proj", kvWidth, hidden),
          linear(checkpoint, p + "self_attn.v_proj", kvWidth, hidden),
          linear(checkpoint, p + "self_attn.o_proj", hidden, qWidth),
          tensor(checkpoint, p + "post_attention_layernorm.weight", hidden),
          linear(checkpoint, p + "mlp.gate_proj", inter, hidden),
          linear(checkpoint, p + "mlp.up_proj", inter, hidden),
          linear(checkpoint, p + "mlp.down_proj", hidden, inter));
    }
    finalNorm = tensor(checkpoint, "model.norm.weight", hidden);
    // Tied models reuse the embedding matrix as the output projection (no copy).
    lmHead = checkpoint.contains("lm_head.weight")
        ? tensor(checkpoint, "lm_head.weight", config.vocabSize(), hidden)
        : embeddingAsHead(config);
    invFreq = weights.create(config.invFreq(), new Shape(1, config.headDim() / 2));
    attentionScale = weights.create((float) (1.0 / Math.sqrt(config.headDim())));
    rmsNormEps = weights.create(config.rmsNormEps());
  }

  private NDArray embeddingAsHead(LlamaConfig config) {
    if (!config.tiedEmbeddings()) {
      throw new ModelLoadException(
          "The checkpoint has no lm_head.weight and config.json does not set tie_word_embeddings.");
    }
    return embedding;
  }

  /**
   * Loads a checkpoint's weights onto {@code device} as float32.
   *
   * @throws ModelLoadException when a tensor is missing, has the wrong shape or an unsupported dtype
   */
  public static LlamaDecoder load(LlamaConfig config, SafetensorsWeights checkpoint, Engine engine, Device device) {
    NDManager weights = engine.newBaseManager(device);
    try {
      return new LlamaDecoder(config, weights, checkpoint);
    } catch (ModelhostException e) {
      weights.close();
      throw e;
    } catch (RuntimeException e) {
      weights.close();
      throw new ModelLoadException("DJL could not load the weights: " + e.getMessage(), e);
    }
  }

  private NDArray tensor(SafetensorsWeights checkpoint, String name, long... expected) {
    long[] shape = checkpoint.shape(name);
    if (!Arrays.equals(shape, expected)) {
      throw new ModelLoadException("Tensor '" + name + "' has shape " + Arrays.toString(shape)
          + " but config.json implies " + Arrays.toString(expected) + ".");
    }
    return checkpoint.loadFloat32(name, weights);
  }

  private Linear linear(SafetensorsWeights checkpoint, String name, long out, long in) {
    NDArray weight = tensor(checkpoint, name + ".weight", out, in);
    NDArray bias = checkpoint.contains(name + ".bias") ? tensor(checkpoint, name + ".bias", out) : null;
    return new Linear(weight, bias);
  }

  /** The architecture facts read from {@code config.json}. */
  public LlamaConfig llamaConfig() {
    return config;
  }

  /** Where the weights live. */
  public Device device() {
    return weights.getDevice();
  }

  @Override
  public long kvBytesPerToken() {
    // Keys and values are float32 in every layer.
    return (long) config.layers() * config.kvHeads() * config.headDim() * 2 * Float.BYTES;
  }

  @Override
  public DecoderConfig config() {
    return decoderConfig;
  }

  @Override
  public DecoderState newState() {
    ensureOpen();
    return new State(weights.newSubManager());
  }

  @Override
  public float[][] step(List<Step> batch) {
    ensureOpen();
    if (batch.isEmpty()) {
      return new float[0][];
    }
    State[] states = new State[batch.size()];
    Map<State, Boolean> seen = new IdentityHashMap<>();
    int total = 0;
    for (int s = 0; s < states.length; s++) {
      Step step = batch.get(s);
      states[s] = own(step.state());
      if (seen.put(states[s], Boolean.TRUE) != null) {
        throw new IllegalArgumentException("A decoder state appears twice in one step.");
      }
      checkTokens(states[s], step.tokens());
      total += step.tokens().length;
    }
    try (NDManager scope = weights.newSubManager()) {
      float[] flat = forward(batch, states, total, scope);
      float[][] logits = new float[states.length][];
      int vocab = config.vocabSize();
      for (int s = 0; s < states.length; s++) {
        // One sequence (the usual decode step) takes the array as it is: no second vocabulary-sized copy.
        logits[s] = states.length == 1 ? flat : Arrays.copyOfRange(flat, s * vocab, (s + 1) * vocab);
        states[s].length += batch.get(s).tokens().length;
      }
      return logits;
    } catch (ModelhostException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new BackendException("The DJL decoder step failed: " + e.getMessage(), e);
    }
  }

  private float[] forward(List<Step> batch, State[] states, int total, NDManager scope) {
    long[] ids = new long[total];
    float[] positions = new float[total];
    int at = 0;
    for (int s = 0; s < states.length; s++) {
      int[] tokens = batch.get(s).tokens();
      states[s].reserve(states[s].length + tokens.length);
      for (int i = 0; i < tokens.length; i++, at++) {
        ids[at] = tokens[i];
        positions[at] = states[s].length + i;
      }
    }
    NDArray idArray = scope.create(ids);
    NDArray x = idArray.getNDArrayInternal().embedding(idArray, embedding, SparseFormat.DENSE).singletonOrThrow();
    NDArray angles = scope.create(positions, new Shape(total, 1)).mul(invFreq);
    Rotary keys = Rotary.of(angles, null, config.headDim());
    Rotary queries = Rotary.of(angles, attentionScale, config.headDim());
    long[] splits = splitPoints(batch);
    NDArray[] masks = new NDArray[states.length];
    for (int s = 0; s < states.length; s++) {
      masks[s] = mask(scope, states[s].length, batch.get(s).tokens().length);
    }
    for (int l = 0; l < layers.length; l++) {
      try (NDManager layerScope = scope.newSubManager()) {
        x.attach(layerScope);
        NDArray next = layer(l, x, batch, states, masks, queries, keys, splits, layerScope);
        next.attach(scope);
        x = next;
      }
    }
    NDArray last = lastPositions(x, batch);
    NDArray logits = lmHeadOf(rmsNorm(last, finalNorm));
    return logits.toFloatArray();
  }

  private NDArray lmHeadOf(NDArray hidden) {
    return hidden.getNDArrayInternal().linear(hidden, lmHead, null).singletonOrThrow();
  }

  private NDArray layer(
      int index,
      NDArray x,
      List<Step> batch,
      State[] states,
      NDArray[] masks,
      Rotary queries,
      Rotary keys,
      long[] splits,
      NDManager scope) {
    Layer layer = layers[index];
    int heads = config.heads();
    int kvHeads = config.kvHeads();
    int headDim = config.headDim();
    NDArray normed = rmsNorm(x, layer.inputNorm());
    NDList q = split(queries.apply(layer.q().apply(normed).reshape(-1, heads, headDim)), splits);
    NDList k = split(keys.apply(layer.k().apply(normed).reshape(-1, kvHeads, headDim)), splits);
    NDList v = split(layer.v().apply(normed).reshape(-1, kvHeads, headDim), splits);
    NDList outputs = new NDList(states.length);
    for (int s = 0; s < states.length; s++) {
      int n = batch.get(s).tokens().length;
      outputs.add(attention(index, states[s], n, q.get(s), k.get(s), v.get(s), masks[s], scope));
    }
    NDArray attended = outputs.size() == 1 ? outputs.singletonOrThrow() : NDArrays.concat(outputs, 0);
    NDArray h = x.add(layer.o().apply(attended));
    NDArray m = rmsNorm(h, layer.postNorm());
    NDArray gate = layer.gate().apply(m);
    NDArray swiglu = gate.mul(Activation.sigmoid(gate)).mul(layer.up().apply(m));
    return h.add(layer.down().apply(swiglu));
  }

  /**
   * Attention of one sequence's {@code n} new positions: appends their keys and values to the
   * cache, then attends over the cache. Grouped-query heads are handled by folding the query heads
   * that share a KV head into the rows of one matrix product, so keys and values are never repeated.
   */
  private NDArray attention(
      int layer, State state, int n, NDArray q, NDArray k, NDArray v, @Nullable NDArray mask, NDManager scope) {
    int heads = config.heads();
    int kvHeads = config.kvHeads();
    int group = heads / kvHeads;
    int headDim = config.headDim();
    int start = state.length;
    int end = start + n;
    NDIndex fresh = new NDIndex().addAllDim().addSliceDim(start, end);
    state.keys[layer].set(fresh, k.transpose(1, 0, 2));
    state.values[layer].set(fresh, v.transpose(1, 0, 2));
    // One new position with a sliding window sees only the window's keys: slice instead of masking.
    int from = mask == null && config.slidingWindow() > 0 ? Math.max(0, end - config.slidingWindow()) : 0;
    NDIndex visible = new NDIndex().addAllDim().addSliceDim(from, end);
    NDArray keys = state.keys[layer].get(scope, visible);
    NDArray values = state.values[layer].get(scope, visible);
    long seen = end - from;
    // Rows (query head within its group, position): with one position a plain reshape.
    NDArray grouped = n == 1
        ? q.reshape(kvHeads, group, headDim)
        : q.reshape(n, kvHeads, group, headDim).transpose(1, 2, 0, 3).reshape(kvHeads, (long) group * n, headDim);
    NDArray scores = grouped.matMul(keys.transpose(0, 2, 1));
    if (mask != null) {
      scores = scores.reshape(kvHeads, group, n, seen).add(mask).reshape(kvHeads, (long) group * n, seen);
    }
    NDArray out = scores.softmax(-1).matMul(values);
    return n == 1
        ? out.reshape(1, (long) heads * headDim)
        : out.reshape(kvHeads, group, n, headDim).transpose(2, 0, 1, 3).reshape(n, (long) heads * headDim);
  }

  /** Causal (and sliding-window) mask of {@code n} new positions after {@code past} cached ones. */
  private @Nullable NDArray mask(NDManager scope, int past, int n) {
    if (n == 1) {
      return null;
    }
    int seen = past + n;
    int window = config.slidingWindow();
    float[] values = new float[n * seen];
    for (int i = 0; i < n; i++) {
      int position = past + i;
      for (int j = 0; j < seen; j++) {
        boolean visible = j <= position && (window == 0 || position - j < window);
        values[i * seen + j] = visible ? 0f : Float.NEGATIVE_INFINITY;
      }
    }
    return scope.create(values, new Shape(n, seen));
  }

  private NDArray lastPositions(NDArray x, List<Step> batch) {
    if (x.getShape().get(0) == batch.size()) {
      return x;
    }
    NDList rows = new NDList(batch.size());
    long end = 0;
    for (Step step : batch) {
      end += step.tokens().length;
      rows.add(x.get(new NDIndex().addSliceDim(end - 1, end)));
    }
    return rows.size() == 1 ? rows.singletonOrThrow() : NDArrays.concat(rows, 0);
  }

  private NDArray rmsNorm(NDArray x, NDArray weight) {
    NDArray rms = x.square().mean(new int[] {-1}, true).add(rmsNormEps).sqrt();
    return x.div(rms).mul(weight);
  }

  /** Where the rows of the sequences meet in a step's flattened tokens. */
  private static long[] splitPoints(List<Step> batch) {
    long[] points = new long[batch.size() - 1];
    long at = 0;
    for (int s = 0; s < points.length; s++) {
      at += batch.get(s).tokens().length;
      points[s] = at;
    }
    return points;
  }

  private static NDList split(NDArray rows, long[] points) {
    return points.length == 0 ? new NDList(rows) : rows.split(points, 0);
  }

  /**
   * Rotary position tables for a step, shaped {@code [tokens, 1, headDim]} to broadcast over
   * heads; the queries' tables also carry the attention scale, which saves a multiplication per
   * layer. {@code rotate_half(x) * sin} is computed as {@code concat(x2, x1) * concat(-sin, sin)}.
   */
  private record Rotary(NDArray cos, NDArray signedSin, long[] half) {

    static Rotary of(NDArray angles, @Nullable NDArray scale, int headDim) {
      NDArray sin = angles.sin();
      NDArray halfCos = angles.cos();
      NDArray cos = NDArrays.concat(new NDList(halfCos, halfCos), -1).expandDims(1);
      NDArray signedSin = NDArrays.concat(new NDList(sin.neg(), sin), -1).expandDims(1);
      long[] half = {headDim / 2};
      return scale == null
          ? new Rotary(cos, signedSin, half)
          : new Rotary(cos.mul(scale), signedSin.mul(scale), half);
    }

    NDArray apply(NDArray x) {
      NDList halves = x.split(half, 2);
      NDArray swapped = NDArrays.concat(new NDList(halves.get(1), halves.get(0)), -1);
      return x.mul(cos).add(swapped.mul(signedSin));
    }
  }

  private void checkTokens(State state, int[] tokens) {
    if (tokens.length == 0) {
      throw new IllegalArgumentException("A step needs at least one token per sequence.");
    }
    for (int token : tokens) {
      if (token < 0 || token >= config.vocabSize()) {
        throw new InvalidRequestException(
            "Token id " + token + " is outside the model's vocabulary of " + config.vocabSize() + ".", "messages");
      }
    }
    if (state.length + tokens.length > config.maxPositions()) {
      throw new InvalidRequestException(
          "This model's maximum context length is " + config.maxPositions() + " tokens; the sequence would reach "
              + (state.length + tokens.length) + ".",
          "messages",
          "context_length_exceeded");
    }
  }

  private State own(DecoderState state) {
    if (!(state instanceof State own) || own.owner() != this) {
      throw new IllegalArgumentException("The state was not created by this decoder.");
    }
    if (own.closed) {
      throw new IllegalStateException("The decoder state is closed.");
    }
    return own;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("The DJL decoder is closed.");
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      weights.close();
    }
  }

  /** One sequence's KV cache: per layer, keys and values of shape {@code [kvHeads, capacity, headDim]}. */
  private final class State implements DecoderState {

    private final NDManager manager;
    private final NDArray[] keys = new NDArray[config.layers()];
    private final NDArray[] values = new NDArray[config.layers()];
    private int capacity;
    private volatile int length;
    private volatile boolean closed;

    State(NDManager manager) {
      this.manager = manager;
    }

    LlamaDecoder owner() {
      return LlamaDecoder.this;
    }

    /** Grows the cache (doubling, capped at the context window) to hold {@code positions}. */
    void reserve(int positions) {
      if (positions <= capacity) {
        return;
      }
      int grown = Math.min(config.maxPositions(), Math.max(positions, Math.max(INITIAL_CACHE_POSITIONS, capacity * 2)));
      Shape shape = new Shape(config.kvHeads(), grown, config.headDim());
      NDIndex kept = new NDIndex().addAllDim().addSliceDim(0, length);
      for (int l = 0; l < keys.length; l++) {
        keys[l] = regrow(keys[l], shape, kept);
        values[l] = regrow(values[l], shape, kept);
      }
      capacity = grown;
    }

    private NDArray regrow(@Nullable NDArray old, Shape shape, NDIndex kept) {
      NDArray grown = manager.zeros(shape, DataType.FLOAT32);
      if (old != null) {
        if (length > 0) {
          try (NDArray content = old.get(kept)) {
            grown.set(kept, content);
          }
        }
        old.close();
      }
      return grown;
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        manager.close();
      }
    }
  }
}
