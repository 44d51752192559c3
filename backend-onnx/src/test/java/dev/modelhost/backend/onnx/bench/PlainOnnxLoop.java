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
    JsonNode config = JsonMapper.builder().build().readTree(Files.readString(directory.resolve("config.json")));
    int heads = config.get("num_attention_heads").asInt();
    int headSize = config.has("head_dim") ? config.get("head_dim").asInt() : config.get("hidden_size").asInt() / heads;
    int kvHeads = config.has("num_key_value_heads") ? config.get("num_key_value_heads").asInt() : heads;
    try (SessionOptions options = new SessionOptions()) {
      options.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
      options.setIntraOpNumThreads(threads);
      OrtSession session = OrtEnvironment.getEnvironment().createSession(directory.resolve("model.onnx").toString(), options);
      return new PlainOnnxLoop(session, config.get("num_hidden_layers").asInt(), kvHeads, headSize);
    }
  }

  /** Logits of the last position, computing the whole sequence from an empty cache. */
  public float[] lastLogitsWithoutCache(int[] tokens) throws OrtException {
    Map<String, OnnxTensor> inputs = inputs(tokens, 0);
    for (int i = 0; i < layers; i++) {
      inputs.put("past_key_values." + i + ".key", empty());
      inputs.put("past_key_values." + i + ".value", empty());
    }
    try (OrtSession.Result result = session.run(inputs)) {
      return last((OnnxTensor) result.get("logits").orElseThrow(), tokens.length);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  /** Greedy decoding of {@code newTokens} tokens, the KV cache fed back step by step. */
  public Run greedy(int[] prompt, int newTokens) throws OrtException {
    long start = System.nanoTime();
    long prefilled = start;
    List<Integer> out = new ArrayList<>();
    Map<String, OnnxTensor> past = new HashMap<>();
    for (int i = 0; i < layers; i++) {
      past.put("past_key_values." + i + ".key", empty());
      past.put("past_key_values." + i + ".value", empty());
    }
    OrtSession.Result previous = null;
    int[] tokens = prompt;
    int length = 0;
    for (int step = 0; step < newTokens; step++) {
      Map<String, OnnxTensor> inputs = inputs(tokens, length);
      inputs.putAll(past);
      OrtSession.Result result = session.run(inputs);
      float[] logits = last((OnnxTensor) result.get("logits").orElseThrow(), tokens.length);
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
      length += tokens.length;
      int next = argmax(logits);
      out.add(next);
      tokens = new int[] {next};
      if (step == 0) {
        prefilled = System.nanoTime();
      }
    }
    if (previous != null) {
      previous.close();
    }
    return new Run(out, prefilled - start, System.nanoTime() - prefilled);
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

  private Map<String, OnnxTensor> inputs(int[] tokens, int past) throws OrtException {
    long[] ids = new long[tokens.length];
    long[] positions = new long[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      ids[i] = tokens[i];
      positions[i] = past + i;
    }
    long[] mask = new long[past + tokens.length];
    Arrays.fill(mask, 1);
    Map<String, OnnxTensor> inputs = new HashMap<>();
    inputs.put("input_ids", OnnxTensor.createTensor(env, new long[][] {ids}));
    inputs.put("attention_mask", OnnxTensor.createTensor(env, new long[][] {mask}));
    inputs.put("position_ids", OnnxTensor.createTensor(env, new long[][] {positions}));
    return inputs;
  }

  private OnnxTensor empty() throws OrtException {
    return OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[] {1, kvHeads, 0, headSize});
  }

  private static float[] last(OnnxTensor logits, int length) {
    FloatBuffer values = logits.getFloatBuffer();
    int vocab = values.capacity() / length;
    float[] row = new float[vocab];
    values.get((length - 1) * vocab, row);
    return row;
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
