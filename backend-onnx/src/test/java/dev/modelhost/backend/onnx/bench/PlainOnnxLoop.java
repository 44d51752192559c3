package dev.modelhost.backend.onnx.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The reference the backend is checked and measured against: straightforward ONNX Runtime calls
 * on an Optimum export (fp32 KV cache, int64 ids), without any of the backend's machinery.
 */
public final class PlainOnnxLoop implements AutoCloseable {

  /** Greedy output and how long its two phases took. */
  public record Run(List<Integer> tokens, long prefillNanos, long decodeNanos) {}

  /** Greedy output of a batch of sequences and how long its two phases took. */
  public record Batch(List<List<Integer>> tokens, long prefillNanos, long decodeNanos) {}

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final int layers;
  private final int kvHeads;
  private final int headSize;

  private PlainOnnxLoop(OrtSession session, int layers, int kvHeads, int headSize) {
    this.session = session;
    this.layers = layers;
    this.kvHeads = kvHeads;
    this.headSize = headSize;
  }

  /** Opens {@code model.onnx} with full graph optimisation and {@code threads} intra-op threads. */
  public static PlainOnnxLoop open(Path directory, int threads) throws OrtException, IOException {
    return open(directory, "model.onnx", threads);
  }

  /** Opens {@code file} (a variant of the model in {@code directory}, such as {@code model_q4.onnx}). */
  public static PlainOnnxLoop open(Path directory, String file, int threads) throws OrtException, IOException {
    JsonNode config = JsonMapper.builder().build().readTree(Files.readString(directory.resolve("config.json")));
    int heads = config.get("num_attention_heads").asInt();
    int headSize = config.has("head_dim") ? config.get("head_dim").asInt() : config.get("hidden_size").asInt() / heads;
    int kvHeads = config.has("num_key_value_heads") ? config.get("num_key_value_heads").asInt() : heads;
    try (SessionOptions options = new SessionOptions()) {
      options.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
      options.setIntraOpNumThreads(threads);
      OrtSession session = OrtEnvironment.getEnvironment().createSession(directory.resolve(file).toString(), options);
      return new PlainOnnxLoop(session, config.get("num_hidden_layers").asInt(), kvHeads, headSize);
    }
  }

  /** Logits of the last position, computing the whole sequence from an empty cache. */
  public float[] lastLogitsWithoutCache(int[] tokens) throws OrtException {
    Map<String, OnnxTensor> inputs = inputs(new int[][] {tokens}, 0);
    for (int i = 0; i < layers; i++) {
      inputs.put("past_key_values." + i + ".key", empty(1));
      inputs.put("past_key_values." + i + ".value", empty(1));
    }
    try (OrtSession.Result result = session.run(inputs)) {
      FloatBuffer logits = ((OnnxTensor) result.get("logits").orElseThrow()).getFloatBuffer();
      return row(logits, tokens.length - 1, tokens.length);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  /** The logits of every position of {@code tokens}, computed from an empty cache: [position][vocab]. */
  public float[][] allLogits(int[] tokens) throws OrtException {
    Map<String, OnnxTensor> inputs = inputs(new int[][] {tokens}, 0);
    for (int i = 0; i < layers; i++) {
      inputs.put("past_key_values." + i + ".key", empty(1));
      inputs.put("past_key_values." + i + ".value", empty(1));
    }
    try (OrtSession.Result result = session.run(inputs)) {
      FloatBuffer values = ((OnnxTensor) result.get("logits").orElseThrow()).getFloatBuffer();
      int vocab = values.capacity() / tokens.length;
      float[][] rows = new float[tokens.length][vocab];
      for (float[] row : rows) {
        values.get(row);
      }
      return rows;
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  /** Greedy decoding of {@code newTokens} tokens, the KV cache fed back step by step. */
  public Run greedy(int[] prompt, int newTokens) throws OrtException {
    Batch batch = greedyBatch(new int[][] {prompt}, newTokens);
    return new Run(batch.tokens().get(0), batch.prefillNanos(), batch.decodeNanos());
  }

  /**
   * Greedy decoding of equally long prompts as one batch: one call per step for all sequences,
   * the way a batching server steps them.
   */
  public Batch greedyBatch(int[][] prompts, int newTokens) throws OrtException {
    int sequences = prompts.length;
    long start = System.nanoTime();
    long prefilled = start;
    List<List<Integer>> out = new ArrayList<>();
    for (int s = 0; s < sequences; s++) {
      out.add(new ArrayList<>());
    }
    Map<String, OnnxTensor> past = new HashMap<>();
    for (int i = 0; i < layers; i++) {
      past.put("past_key_values." + i + ".key", empty(sequences));
      past.put("past_key_values." + i + ".value", empty(sequences));
    }
    OrtSession.Result previous = null;
    int[][] tokens = prompts;
    int length = 0;
    for (int step = 0; step < newTokens; step++) {
      Map<String, OnnxTensor> inputs = inputs(tokens, length);
      inputs.putAll(past);
      OrtSession.Result result = session.run(inputs);
      FloatBuffer logits = ((OnnxTensor) result.get("logits").orElseThrow()).getFloatBuffer();
      if (previous != null) {
        previous.close();
      } else {
        past.values().forEach(OnnxTensor::close);
      }
      inputs.get("input_ids").close();
      inputs.get("attention_mask").close();
      inputs.get("position_ids").close();
      previous = result;
      for (int i = 0; i < layers; i++) {
        past.put("past_key_values." + i + ".key", (OnnxTensor) result.get("present." + i + ".key").orElseThrow());
        past.put("past_key_values." + i + ".value", (OnnxTensor) result.get("present." + i + ".value").orElseThrow());
      }
      int width = tokens[0].length;
      length += width;
      int[][] next = new int[sequences][1];
      for (int s = 0; s < sequences; s++) {
        next[s][0] = argmax(row(logits, s * width + width - 1, sequences * width));
        out.get(s).add(next[s][0]);
      }
      tokens = next;
      if (step == 0) {
        prefilled = System.nanoTime();
      }
    }
    if (previous != null) {
      previous.close();
    }
    return new Batch(out, prefilled - start, System.nanoTime() - prefilled);
  }

  public static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Inputs for equally long rows of {@code tokens} after {@code past} cached positions. */
  private Map<String, OnnxTensor> inputs(int[][] tokens, int past) throws OrtException {
    int width = tokens[0].length;
    long[][] ids = new long[tokens.length][width];
    long[][] positions = new long[tokens.length][width];
    long[][] mask = new long[tokens.length][past + width];
    for (int s = 0; s < tokens.length; s++) {
      for (int i = 0; i < width; i++) {
        ids[s][i] = tokens[s][i];
        positions[s][i] = past + i;
      }
      Arrays.fill(mask[s], 1);
    }
    Map<String, OnnxTensor> inputs = new HashMap<>();
    inputs.put("input_ids", OnnxTensor.createTensor(env, ids));
    inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
    inputs.put("position_ids", OnnxTensor.createTensor(env, positions));
    return inputs;
  }

  private OnnxTensor empty(int sequences) throws OrtException {
    return OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[] {sequences, kvHeads, 0, headSize});
  }

  /** Row {@code index} of logits holding {@code rows} rows. */
  private static float[] row(FloatBuffer logits, int index, int rows) {
    int vocab = logits.capacity() / rows;
    float[] row = new float[vocab];
    logits.get(index * vocab, row);
    return row;
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
