package dev.modelhost.backend.onnx.internal;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.platform.Fp16Conversions;
import dev.modelhost.engine.Decoder;
import dev.modelhost.engine.DecoderConfig;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.spi.ModelSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A decoder-only model in ONNX Runtime. One {@link OrtSession} holds the weights for every state
 * (ONNX Runtime's {@code Run} is thread-safe); each state owns its KV cache.
 *
 * <p>A step runs the sequences that add the same number of tokens in one call: equal-length
 * prompts, the choices of one request, every sequence's next token. Rows of different lengths are
 * left-padded and masked where the graph allows it (Optimum exports) and run one call per length
 * otherwise (GenAI graphs). Rows that step together again feed the previous call's
 * {@code present.*} outputs back as {@code past_key_values.*} without copying; only a change of
 * company (a row finished or joined) gathers the rows into new tensors, once.
 */
public final class OnnxDecoder implements Decoder {

  /** Logits a prompt call may return (16M floats, 64 MB): one row per new position of every row. */
  private static final int LOGITS_BUDGET = 1 << 24;
  /** Every option the ONNX backend reads. */
  public static final Set<String> OPTIONS =
      Set.of(SessionFactory.THREADS, SessionFactory.DEVICE, ModelVariants.OPTION);

  private final OrtEnvironment env;
  private final OrtSession session;
  private final GraphLayout layout;
  private final DecoderConfig config;
  private final String device;
  private final Set<String> outputs;
  private final Set<String> presents;
  private final AtomicLong runs = new AtomicLong();
  private volatile boolean closed;
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

  private OnnxDecoder(
      OrtEnvironment env, OrtSession session, GraphLayout layout, DecoderConfig config, String device) {
    this.env = env;
    this.session = session;
    this.layout = layout;
    this.config = config;
    this.device = device;
    this.presents = Set.copyOf(layout.presentOutputs());
    Set<String> names = new LinkedHashSet<>(layout.presentOutputs());
    names.add(layout.logits());
    this.outputs = Set.copyOf(names);
  }

  /**
   * Loads the decoder in {@code directory}: an ONNX Runtime GenAI model-builder output
   * ({@code genai_config.json}) or a Hugging Face Optimum export ({@code config.json},
   * {@code model.onnx} at the root or in {@code onnx/}), the graph chosen by the option
   * {@code variant} ({@link ModelVariants}).
   *
   * @throws ModelLoadException when the directory holds no usable decoder; the message says what
   *     was expected and what was found
   */
  public static OnnxDecoder load(ModelDirectory directory, ModelSource source) {
    ModelSpec spec = ModelSpec.read(directory, source.option(ModelVariants.OPTION));
    Path model = directory.resolve(spec.decoderFile());
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    SessionFactory.Opened opened = SessionFactory.open(env, model, source);
    try {
      GraphLayout layout = GraphLayout.detect(opened.session(), spec);
      DecoderConfig config = new DecoderConfig(spec.modelType(), layout.vocabSize(), spec.contextWindow(), spec.eosTokenIds());
      return new OnnxDecoder(env, opened.session(), layout, config, opened.device());
    } catch (RuntimeException e) {
      closeQuietly(opened.session(), e);
      throw e;
    }
  }

  @Override
  public DecoderConfig config() {
    return config;
  }

  /** From the graph's KV inputs: their count, heads, head size and element type. */
  @Override
  public long kvBytesPerToken() {
    return layout.kvBytesPerToken();
  }

  /** Where the session runs: {@code cpu} or {@code cuda}. */
  public String device() {
    return device;
  }

  @Override
  public DecoderState newState() {
    ensureOpen();
    return new OnnxDecoderState(this);
  }

  @Override
  public float[][] step(List<Step> batch) {
    ensureOpen();
    OnnxDecoderState[] states = validate(batch);
    float[][] logits = new float[batch.size()][];
    if (states.length == 1) {
      run(batch, states, List.of(0), logits);
      return logits;
    }
    // Sequences that can share a call: the same number of new tokens and, unless the graph takes
    // left padding, the same length.
    Map<Long, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < states.length; i++) {
      long length = layout.leftPadding() ? 0 : states[i].length;
      groups.computeIfAbsent((length << 32) | batch.get(i).tokens().length, k -> new ArrayList<>()).add(i);
    }
    for (List<Integer> group : groups.values()) {
      run(batch, states, group, logits);
    }
    return logits;
  }

  /** Session calls so far; tests check what was batched. */
  long runs() {
    return runs.get();
  }

  private OnnxDecoderState[] validate(List<Step> batch) {
    OnnxDecoderState[] states = new OnnxDecoderState[batch.size()];
    Map<OnnxDecoderState, Boolean> seen = batch.size() > 1 ? new IdentityHashMap<>() : Map.of();
    for (int i = 0; i < states.length; i++) {
      Step step = batch.get(i);
      if (!(step.state() instanceof OnnxDecoderState state) || state.decoder != this) {
        throw new IllegalArgumentException("Batch entry " + i + " holds a state of another decoder.");
      }
      if (state.closed) {
        throw new IllegalStateException("Batch entry " + i + " holds a closed state.");
      }
      if (batch.size() > 1 && seen.put(state, Boolean.TRUE) != null) {
        throw new IllegalArgumentException("Batch entry " + i + " repeats a state of an earlier entry.");
      }
      int[] tokens = step.tokens();
      if (tokens.length == 0) {
        throw new IllegalArgumentException("Batch entry " + i + " has no tokens.");
      }
      for (int token : tokens) {
        if (token < 0 || token >= config.vocabSize()) {
          throw new InvalidRequestException(
              "Token id " + token + " is outside this model's vocabulary (0 to " + (config.vocabSize() - 1) + ").", null);
        }
      }
      if ((long) state.length + tokens.length > config.contextWindow()) {
        throw new InvalidRequestException(
            "The sequence would reach " + (state.length + tokens.length) + " tokens; this model's context window is "
                + config.contextWindow() + ".", null, "context_length_exceeded");
      }
      states[i] = state;
    }
    return states;
  }

  /**
   * The batch entries {@code group}, which add the same number of tokens, in one call; long
   * prompts in slices so that a call's logits (one row per new position of every row, of which
   * only the last is wanted) stay within {@link #LOGITS_BUDGET}. (The engine already feeds prompts
   * in chunks of its {@code prefill-chunk} option; this bounds what one step may still hold.)
   */
  private void run(List<Step> batch, OnnxDecoderState[] all, List<Integer> group, float[][] logits) {
    int rows = group.size();
    OnnxDecoderState[] states = new OnnxDecoderState[rows];
    int[][] tokens = new int[rows][];
    for (int r = 0; r < rows; r++) {
      states[r] = all[group.get(r)];
      tokens[r] = batch.get(group.get(r)).tokens();
    }
    int total = tokens[0].length;
    int sliceTokens = Math.max(1, LOGITS_BUDGET / config.vocabSize() / rows);
    for (int from = 0; from < total; from += sliceTokens) {
      int to = Math.min(total, from + sliceTokens);
      int[][] slice = tokens;
      if (from > 0 || to < total) {
        slice = new int[rows][];
        for (int r = 0; r < rows; r++) {
          slice[r] = Arrays.copyOfRange(tokens[r], from, to);
        }
      }
      float[][] last = call(states, slice, to == total);
      for (int r = 0; r < rows && last != null; r++) {
        logits[group.get(r)] = last[r];
      }
    }
  }

  /**
   * One session call: appends {@code tokens} to each state's cache and returns each row's logits
   * at its last new position, or null when {@code wantLogits} is false.
   */
  private float @Nullable [][] call(OnnxDecoderState[] states, int[][] tokens, boolean wantLogits) {
    int rows = states.length;
    int[] lengths = new int[rows];
    for (int r = 0; r < rows; r++) {
      lengths[r] = states[r].length;
    }
    int fresh = tokens[0].length;
    int vocab = config.vocabSize();
    KvCache shared = sharedCache(states);
    int past = shared != null ? shared.length() : max(lengths);
    Scratch buffers = scratch.get();
    // A decode step's logits go straight into a reused buffer; a prompt's (every position) into
    // one that ONNX Runtime allocates, so that no large buffer stays behind.
    ByteBuffer pinnedLogits = wantLogits && fresh == 1
        ? buffers.take(Scratch.LOGITS, (long) rows * vocab * layout.logitsType().size)
        : null;
    List<OnnxTensor> temporaries = new ArrayList<>();
    OrtSession.Result result;
    try {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      OnnxTensor[] pastTensors = shared != null ? shared.tensors() : gather(states, past, temporaries);
      for (int k = 0; k < pastTensors.length; k++) {
        inputs.put(layout.pastInputs().get(k), pastTensors[k]);
      }
      inputs.put(layout.inputIds(), temporary(temporaries, ids(buffers, tokens, fresh)));
      inputs.put(layout.attentionMask(), temporary(temporaries, mask(buffers, lengths, past, fresh)));
      if (layout.positionIds() != null) {
        inputs.put(layout.positionIds(), temporary(temporaries, positions(buffers, lengths, fresh)));
      }
      runs.incrementAndGet();
      if (pinnedLogits != null) {
        OnnxTensor target = temporary(temporaries,
            OnnxTensor.createTensor(env, pinnedLogits, new long[] {rows, 1, vocab}, layout.logitsType()));
        result = session.run(inputs, presents, Map.of(layout.logits(), target));
      } else {
        result = session.run(inputs, wantLogits ? outputs : presents);
      }
    } catch (OrtException e) {
      throw new BackendException("ONNX Runtime failed to run the decoder: " + e.getMessage(), e);
    } finally {
      temporaries.forEach(OnnxTensor::close);
    }
    KvCache cache;
    float[][] logits = wantLogits ? new float[rows][] : null;
    try {
      OnnxTensor[] presentTensors = new OnnxTensor[layout.presentOutputs().size()];
      for (int k = 0; k < presentTensors.length; k++) {
        presentTensors[k] = tensor(result, layout.presentOutputs().get(k));
      }
      if (pinnedLogits != null) {
        for (int r = 0; r < rows; r++) {
          logits[r] = logitsRow(pinnedLogits, r * vocab);
        }
      } else if (logits != null) {
        FloatBuffer values = tensor(result, layout.logits()).getFloatBuffer();
        for (int r = 0; r < rows; r++) {
          logits[r] = new float[vocab];
          values.get(((r * fresh) + fresh - 1) * vocab, logits[r]);
        }
      }
      cache = new KvCache(result, presentTensors, rows, past + fresh);
    } catch (RuntimeException e) {
      result.close();
      throw e;
    }
    for (int r = 0; r < rows; r++) {
      states[r].advance(cache, r, fresh);
    }
    return logits;
  }

  /** The cache these states can continue from as they are: exactly its rows, in its order. */
  private static @Nullable KvCache sharedCache(OnnxDecoderState[] states) {
    KvCache shared = states[0].cache;
    if (shared == null || shared.rows() != states.length) {
      return null;
    }
    for (int r = 0; r < states.length; r++) {
      if (states[r].cache != shared || states[r].row != r) {
        return null;
      }
    }
    return shared;
  }

  /**
   * New past tensors of {@code past} positions holding each state's cached positions, right
   * aligned (left padding is zeros, masked out); empty states contribute only padding.
   */
  private OnnxTensor[] gather(OnnxDecoderState[] states, int past, List<OnnxTensor> temporaries) throws OrtException {
    int count = layout.pastInputs().size();
    OnnxTensor[] tensors = new OnnxTensor[count];
    int rows = states.length;
    int halves = layout.combinedKv() ? 2 : 1;
    int heads = layout.kvHeads();
    int position = layout.headSize() * layout.kvType().size;
    Map<KvCache, ByteBuffer[]> sources = new IdentityHashMap<>();
    for (int k = 0; k < count; k++) {
      // allocateDirect zero-fills: the padding.
      ByteBuffer target = ByteBuffer.allocateDirect(halves * rows * heads * past * position).order(ByteOrder.nativeOrder());
      for (int r = 0; r < rows; r++) {
        KvCache from = states[r].cache;
        if (from == null) {
          continue;
        }
        ByteBuffer[] copies = sources.computeIfAbsent(from, c -> new ByteBuffer[count]);
        if (copies[k] == null) {
          copies[k] = from.bytes(k);
        }
        int length = states[r].length;
        int bytes = length * position;
        for (int h = 0; h < halves; h++) {
          for (int head = 0; head < heads; head++) {
            int source = (((h * from.rows() + states[r].row) * heads + head) * from.length() + from.length() - length) * position;
            int destination = (((h * rows + r) * heads + head) * past + past - length) * position;
            target.put(destination, copies[k], source, bytes);
          }
        }
      }
      tensors[k] = temporary(temporaries, OnnxTensor.createTensor(env, target, layout.kvShape(rows, past), layout.kvType()));
    }
    return tensors;
  }

  private float[] logitsRow(ByteBuffer values, int offset) {
    float[] row = new float[config.vocabSize()];
    if (layout.logitsType() == OnnxJavaType.FLOAT16) {
      for (int i = 0; i < row.length; i++) {
        row[i] = Fp16Conversions.fp16ToFloat(values.getShort((offset + i) * 2));
      }
    } else {
      values.asFloatBuffer().get(offset, row);
    }
    return row;
  }

  private OnnxTensor ids(Scratch buffers, int[][] tokens, int fresh) throws OrtException {
    OnnxJavaType type = layout.idsType();
    ByteBuffer data = buffers.take(Scratch.IDS, (long) tokens.length * fresh * type.size);
    for (int[] row : tokens) {
      for (int token : row) {
        put(data, type, token);
      }
    }
    return OnnxTensor.createTensor(env, data.flip(), new long[] {tokens.length, fresh}, type);
  }

  /** Each row's true positions, whatever its padding. */
  private OnnxTensor positions(Scratch buffers, int[] lengths, int fresh) throws OrtException {
    OnnxJavaType type = layout.positionType();
    ByteBuffer data = buffers.take(Scratch.POSITIONS, (long) lengths.length * fresh * type.size);
    for (int length : lengths) {
      for (int i = 0; i < fresh; i++) {
        put(data, type, length + i);
      }
    }
    return OnnxTensor.createTensor(env, data.flip(), new long[] {lengths.length, fresh}, type);
  }

  /** Zeros over each row's left padding, ones over its tokens. */
  private OnnxTensor mask(Scratch buffers, int[] lengths, int past, int fresh) throws OrtException {
    OnnxJavaType type = layout.maskType();
    int width = past + fresh;
    ByteBuffer data = buffers.take(Scratch.MASK, (long) lengths.length * width * type.size);
    for (int length : lengths) {
      for (int i = 0; i < width; i++) {
        put(data, type, i < past - length ? 0 : 1);
      }
    }
    return OnnxTensor.createTensor(env, data.flip(), new long[] {lengths.length, width}, type);
  }

  private static void put(ByteBuffer data, OnnxJavaType type, int value) {
    if (type == OnnxJavaType.INT32) {
      data.putInt(value);
    } else {
      data.putLong(value);
    }
  }

  private static int max(int[] values) {
    int max = 0;
    for (int value : values) {
      max = Math.max(max, value);
    }
    return max;
  }

  private static OnnxTensor temporary(List<OnnxTensor> temporaries, OnnxTensor tensor) {
    temporaries.add(tensor);
    return tensor;
  }

  private static OnnxTensor tensor(OrtSession.Result result, String name) {
    OnnxValue value = result.get(name).orElseThrow(
        () -> new BackendException("The decoder returned no output '" + name + "'.", null));
    if (!(value instanceof OnnxTensor tensor)) {
      throw new BackendException("The decoder's output '" + name + "' is not a tensor.", null);
    }
    return tensor;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("This ONNX decoder is closed.");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      session.close();
    } catch (OrtException e) {
      throw new BackendException("Cannot close the ONNX Runtime session: " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(OrtSession session, RuntimeException failure) {
    try {
      session.close();
    } catch (OrtException e) {
      failure.addSuppressed(e);
    }
  }
}
