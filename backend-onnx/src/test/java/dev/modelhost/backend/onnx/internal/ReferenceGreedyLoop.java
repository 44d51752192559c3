package dev.modelhost.backend.onnx.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Greedy decoding of one sequence in plain ONNX Runtime calls, knowing nothing of the backend: the
 * graph's own input metadata says what to feed. {@code input_ids}, {@code attention_mask} and
 * {@code position_ids} are filled in their declared integer type; every other input is a KV cache,
 * empty at first (its symbolic dimensions {@code batch_size} = 1, the sequence length = 0 and any
 * other, such as the model builder's {@code kv_cache_dim}, = {@code headSize}), then the output of
 * the same name with {@code present} for {@code past_key_values} / {@code past}.
 */
final class ReferenceGreedyLoop implements AutoCloseable {

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final int headSize;

  ReferenceGreedyLoop(Path graph, int headSize) throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      this.session = env.createSession(graph.toString(), options);
    }
    this.headSize = headSize;
  }

  /** The {@code count} tokens greedy decoding appends to {@code prompt}, and the first step's logits. */
  Result greedy(int[] prompt, int count) throws OrtException {
    List<Integer> tokens = new ArrayList<>();
    Map<String, OnnxTensor> past = new HashMap<>();
    for (Map.Entry<String, NodeInfo> input : session.getInputInfo().entrySet()) {
      if (!isTokenInput(input.getKey())) {
        past.put(input.getKey(), emptyCache((TensorInfo) input.getValue().getInfo()));
      }
    }
    int[] step = prompt;
    int length = 0;
    float[] firstLogits = null;
    try {
      for (int i = 0; i < count; i++) {
        Map<String, OnnxTensor> feed = new HashMap<>(past);
        List<OnnxTensor> owned = new ArrayList<>();
        for (Map.Entry<String, NodeInfo> input : session.getInputInfo().entrySet()) {
          TensorInfo info = (TensorInfo) input.getValue().getInfo();
          long[] values = switch (input.getKey()) {
            case "input_ids" -> toLongs(step);
            case "attention_mask" -> ones(length + step.length);
            case "position_ids" -> range(length, step.length);
            default -> null;
          };
          if (values != null) {
            OnnxTensor tensor = integers(values, info.type);
            owned.add(tensor);
            feed.put(input.getKey(), tensor);
          }
        }
        OrtSession.Result result = session.run(feed);
        owned.forEach(OnnxTensor::close);
        float[] logits = lastRow((OnnxTensor) result.get("logits").orElseThrow());
        if (firstLogits == null) {
          firstLogits = logits;
        }
        int next = argmax(logits);
        tokens.add(next);
        past.values().forEach(OnnxTensor::close);
        past.clear();
        for (Map.Entry<String, OnnxValue> output : result) {
          if (!output.getKey().equals("logits")) {
            past.put(pastName(output.getKey()), copy((OnnxTensor) output.getValue()));
          }
        }
        result.close();
        length += step.length;
        step = new int[] {next};
      }
    } finally {
      past.values().forEach(OnnxTensor::close);
    }
    return new Result(tokens, firstLogits);
  }

  record Result(List<Integer> tokens, float[] firstLogits) {}

  private static boolean isTokenInput(String name) {
    return name.equals("input_ids") || name.equals("attention_mask") || name.equals("position_ids");
  }

  private static String pastName(String present) {
    return present.startsWith("present.") ? "past_key_values." + present.substring("present.".length())
        : "past_" + present.substring("present_".length());
  }

  private OnnxTensor emptyCache(TensorInfo info) throws OrtException {
    long[] shape = info.getShape().clone();
    String[] names = info.getDimensionNames();
    for (int axis = 0; axis < shape.length; axis++) {
      if (shape[axis] < 0) {
        shape[axis] = names[axis].equals("batch_size") ? 1 : names[axis].contains("sequence") ? 0 : headSize;
      }
    }
    return info.type == OnnxJavaType.FLOAT16
        ? OnnxTensor.createTensor(env, ByteBuffer.allocateDirect(0), shape, OnnxJavaType.FLOAT16)
        : OnnxTensor.createTensor(env, FloatBuffer.allocate(0), shape);
  }

  /** Copies a present tensor, so that the result it came from can be closed. */
  private OnnxTensor copy(OnnxTensor tensor) throws OrtException {
    long[] shape = tensor.getInfo().getShape();
    if (tensor.getInfo().type == OnnxJavaType.FLOAT16) {
      ShortBuffer source = tensor.getShortBuffer();
      ByteBuffer bytes = ByteBuffer.allocateDirect(source.remaining() * 2).order(ByteOrder.nativeOrder());
      bytes.asShortBuffer().put(source);
      return OnnxTensor.createTensor(env, bytes, shape, OnnxJavaType.FLOAT16);
    }
    return OnnxTensor.createTensor(env, tensor.getFloatBuffer(), shape);
  }

  private OnnxTensor integers(long[] values, OnnxJavaType type) throws OrtException {
    long[] shape = {1, values.length};
    if (type == OnnxJavaType.INT32) {
      int[] ints = new int[values.length];
      for (int i = 0; i < values.length; i++) {
        ints[i] = (int) values[i];
      }
      return OnnxTensor.createTensor(env, IntBuffer.wrap(ints), shape);
    }
    return OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape);
  }

  private static float[] lastRow(OnnxTensor logits) {
    long[] shape = logits.getInfo().getShape();
    int vocab = (int) shape[2];
    float[] row = new float[vocab];
    int offset = (int) (shape[1] - 1) * vocab;
    if (logits.getInfo().type == OnnxJavaType.FLOAT16) {
      ShortBuffer halves = logits.getShortBuffer();
      for (int i = 0; i < vocab; i++) {
        row[i] = Fp16Conversions.fp16ToFloat(halves.get(offset + i));
      }
    } else {
      FloatBuffer floats = logits.getFloatBuffer();
      floats.position(offset);
      floats.get(row);
    }
    return row;
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

  private static long[] toLongs(int[] values) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  private static long[] ones(int length) {
    long[] out = new long[length];
    Arrays.fill(out, 1);
    return out;
  }

  private static long[] range(int from, int length) {
    long[] out = new long[length];
    for (int i = 0; i < length; i++) {
      out[i] = from + i;
    }
    return out;
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
