package dev.modelhost.backend.onnx.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference the decoder is checked against: straightforward ONNX Runtime calls on an Optimum
 * export (fp32, int64 ids), written without any of the decoder's reuse.
 */
final class PlainOnnxLoop implements AutoCloseable {

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final int layers;
  private final int kvHeads;
  private final int headSize;

  PlainOnnxLoop(Path directory, int layers, int kvHeads, int headSize) throws OrtException {
    this.session = env.createSession(directory.resolve("model.onnx").toString(), new OrtSession.SessionOptions());
    this.layers = layers;
    this.kvHeads = kvHeads;
    this.headSize = headSize;
  }

  static PlainOnnxLoop tinyRandom(Path directory) throws OrtException {
    return new PlainOnnxLoop(directory, 2, 2, 16);
  }

  /** Logits of the last position, computing the whole sequence from an empty cache. */
  float[] lastLogitsWithoutCache(int[] tokens) throws OrtException {
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

  /** Greedy decoding with the KV cache fed back step by step. */
  List<Integer> greedy(int[] prompt, int newTokens) throws OrtException {
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
    }
    if (previous != null) {
      previous.close();
    }
    return out;
  }

  static int argmax(float[] values) {
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
    java.util.Arrays.fill(mask, 1);
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
