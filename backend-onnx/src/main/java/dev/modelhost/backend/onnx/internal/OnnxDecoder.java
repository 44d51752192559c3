package dev.modelhost.backend.onnx.internal;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.modelhost.engine.Decoder;
import dev.modelhost.engine.DecoderConfig;
import dev.modelhost.engine.DecoderState;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.spi.ModelSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
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

  private final OrtEnvironment env;
  private final OrtSession session;
  private final GraphLayout layout;
  private final DecoderConfig config;
  private final String device;
  private final Set<String> outputs;
  private final AtomicLong runs = new AtomicLong();
  private volatile boolean closed;
  private volatile LongBuffer ones = LongBuffer.allocate(0);

  private OnnxDecoder(OrtEnvironment env, OrtSession session, GraphLayout layout, DecoderConfig config, String device) {
    this.env = env;
    this.session = session;
    this.layout = layout;
    this.config = config;
    this.device = device;
    Set<String> names = new LinkedHashSet<>(layout.presentOutputs());
    names.add(layout.logits());
    this.outputs = Set.copyOf(names);
  }

  /**
   * Loads the decoder in {@code directory}: an ONNX Runtime GenAI model-builder output
   * ({@code genai_config.json}) or a Hugging Face Optimum export ({@code config.json},
   * {@code model.onnx}).
   *
   * @throws ModelLoadException when the directory holds no usable decoder; the message says what
   *     was expected and what was found
   */
  public static OnnxDecoder load(Path directory, ModelSource source) {
    ModelFiles files = new ModelFiles(directory);
    ModelSpec spec = ModelSpec.read(files);
    Path model = files.resolve(spec.decoderFile());
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    SessionFactory.Opened opened = SessionFactory.open(env, model, source);
    try {
      GraphLayout layout = GraphLayout.detect(opened.session(), spec);
      DecoderConfig config = new DecoderConfig(spec.modelType(), spec.vocabSize(), spec.contextWindow(), spec.eosTokenIds());
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
    Map<OnnxDecoderState, Boolean> seen = new IdentityHashMap<>();
    for (int i = 0; i < states.length; i++) {
      Step step = batch.get(i);
      if (!(step.state() instanceof OnnxDecoderState state) || state.decoder != this) {
        throw new IllegalArgumentException("Batch entry " + i + " holds a state of another decoder.");
      }
      if (state.closed) {
        throw new IllegalStateException("Batch entry " + i + " holds a closed state.");
      }
      if (seen.put(state, Boolean.TRUE) != null) {
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

  /** One session call for the batch entries {@code group}, which add the same number of tokens. */
  private void run(List<Step> batch, OnnxDecoderState[] all, List<Integer> group, float[][] logits) {
    int rows = group.size();
    OnnxDecoderState[] states = new OnnxDecoderState[rows];
    int[][] tokens = new int[rows][];
    int[] lengths = new int[rows];
    for (int r = 0; r < rows; r++) {
      states[r] = all[group.get(r)];
      tokens[r] = batch.get(group.get(r)).tokens();
      lengths[r] = states[r].length;
    }
    int fresh = tokens[0].length;
    KvCache shared = sharedCache(states);
    int past = shared != null ? shared.length() : max(lengths);
    List<OnnxTensor> temporaries = new ArrayList<>();
    OrtSession.Result result;
    try {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      OnnxTensor[] pastTensors = shared != null ? shared.tensors() : gather(states, past, temporaries);
      for (int k = 0; k < pastTensors.length; k++) {
        inputs.put(layout.pastInputs().get(k), pastTensors[k]);
      }
      inputs.put(layout.inputIds(), temporary(temporaries, ids(tokens, fresh)));
      inputs.put(layout.attentionMask(), temporary(temporaries, mask(lengths, past, fresh)));
      if (layout.positionIds() != null) {
        inputs.put(layout.positionIds(), temporary(temporaries, positions(lengths, fresh)));
      }
      runs.incrementAndGet();
      result = session.run(inputs, outputs);
    } catch (OrtException e) {
      throw new BackendException("ONNX Runtime failed to run the decoder: " + e.getMessage(), e);
    } finally {
      temporaries.forEach(OnnxTensor::close);
    }
    KvCache cache;
    try {
      OnnxTensor[] presents = new OnnxTensor[layout.presentOutputs().size()];
      for (int k = 0; k < presents.length; k++) {
        presents[k] = tensor(result, layout.presentOutputs().get(k));
      }
      FloatBuffer values = tensor(result, layout.logits()).getFloatBuffer();
      int vocab = config.vocabSize();
      for (int r = 0; r < rows; r++) {
        float[] row = new float[vocab];
        values.get(((r * fresh) + fresh - 1) * vocab, row);
        logits[group.get(r)] = row;
      }
      cache = new KvCache(result, presents, rows, past + fresh);
    } catch (RuntimeException e) {
      result.close();
      throw e;
    }
    for (int r = 0; r < rows; r++) {
      states[r].advance(cache, r, fresh);
    }
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

  private OnnxTensor ids(int[][] tokens, int fresh) throws OrtException {
    long[] shape = {tokens.length, fresh};
    if (layout.idsType() == OnnxJavaType.INT32) {
      IntBuffer data = IntBuffer.allocate(tokens.length * fresh);
      for (int[] row : tokens) {
        data.put(row);
      }
      return OnnxTensor.createTensor(env, data.flip(), shape);
    }
    LongBuffer data = LongBuffer.allocate(tokens.length * fresh);
    for (int[] row : tokens) {
      for (int token : row) {
        data.put(token);
      }
    }
    return OnnxTensor.createTensor(env, data.flip(), shape);
  }

  /** Each row's true positions, whatever its padding. */
  private OnnxTensor positions(int[] lengths, int fresh) throws OrtException {
    long[] shape = {lengths.length, fresh};
    if (layout.positionType() == OnnxJavaType.INT32) {
      IntBuffer data = IntBuffer.allocate(lengths.length * fresh);
      for (int length : lengths) {
        for (int i = 0; i < fresh; i++) {
          data.put(length + i);
        }
      }
      return OnnxTensor.createTensor(env, data.flip(), shape);
    }
    LongBuffer data = LongBuffer.allocate(lengths.length * fresh);
    for (int length : lengths) {
      for (int i = 0; i < fresh; i++) {
        data.put(length + i);
      }
    }
    return OnnxTensor.createTensor(env, data.flip(), shape);
  }

  /**
   * Zeros over each row's left padding, ones over its tokens. Unpadded int64 masks are views of one
   * shared direct buffer of ones, so the common case copies nothing.
   */
  private OnnxTensor mask(int[] lengths, int past, int fresh) throws OrtException {
    int rows = lengths.length;
    int width = past + fresh;
    long[] shape = {rows, width};
    boolean padded = false;
    for (int length : lengths) {
      padded |= length != past;
    }
    if (layout.maskType() == OnnxJavaType.INT64 && !padded) {
      return OnnxTensor.createTensor(env, ones(rows * width), shape);
    }
    if (layout.maskType() == OnnxJavaType.INT32) {
      IntBuffer data = IntBuffer.allocate(rows * width);
      for (int length : lengths) {
        for (int i = 0; i < width; i++) {
          data.put(i < past - length ? 0 : 1);
        }
      }
      return OnnxTensor.createTensor(env, data.flip(), shape);
    }
    LongBuffer data = LongBuffer.allocate(rows * width);
    for (int length : lengths) {
      for (int i = 0; i < width; i++) {
        data.put(i < past - length ? 0 : 1);
      }
    }
    return OnnxTensor.createTensor(env, data.flip(), shape);
  }

  private LongBuffer ones(int size) {
    LongBuffer shared = ones;
    if (shared.capacity() < size) {
      int capacity = Math.max(size, Math.min(2 * shared.capacity(), Integer.MAX_VALUE / Long.BYTES));
      shared = ByteBuffer.allocateDirect(capacity * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
      while (shared.hasRemaining()) {
        shared.put(1L);
      }
      ones = shared;
    }
    return shared.duplicate().clear().limit(size);
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
