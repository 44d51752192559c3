package dev.modelhost.backend.onnx.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.modelhost.backend.onnx.internal.ModelSpec.Dimension;
import dev.modelhost.exception.ModelLoadException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The decoder graph's inputs and outputs as found in the loaded session, checked against the
 * {@link ModelSpec}: names, element types and the KV cache shape.
 *
 * @param pastInputs KV inputs in a fixed order (key, value per layer; or one combined per layer)
 * @param presentOutputs the outputs that become the next step's {@code pastInputs}, same order
 * @param combinedKv GPT-2 style {@code [2, batch, heads, seq, head]} tensors instead of separate key and value
 * @param vocabSize logits per position, from the configuration or the graph
 * @param leftPadding whether rows of different lengths may share a call, left-padded and masked
 */
record GraphLayout(
    String inputIds,
    OnnxJavaType idsType,
    String attentionMask,
    OnnxJavaType maskType,
    @Nullable String positionIds,
    OnnxJavaType positionType,
    String logits,
    OnnxJavaType logitsType,
    List<String> pastInputs,
    List<String> presentOutputs,
    boolean combinedKv,
    OnnxJavaType kvType,
    int kvHeads,
    int headSize,
    int vocabSize,
    boolean leftPadding) {

  GraphLayout {
    pastInputs = List.copyOf(pastInputs);
    presentOutputs = List.copyOf(presentOutputs);
  }

  /** Shape of a KV tensor holding {@code rows} sequences of {@code length} positions. */
  long[] kvShape(int rows, int length) {
    return combinedKv
        ? new long[] {2, rows, kvHeads, length, headSize}
        : new long[] {rows, kvHeads, length, headSize};
  }

  /** Bytes one position takes in a sequence's KV cache, over every layer's key and value. */
  long kvBytesPerToken() {
    long elements = (long) pastInputs.size() * (combinedKv ? 2 : 1) * kvHeads * headSize;
    return elements * (kvType == OnnxJavaType.FLOAT16 ? 2 : 4);
  }

  static GraphLayout detect(OrtSession session, ModelSpec declared) {
    Map<String, NodeInfo> inputs;
    Map<String, NodeInfo> outputs;
    try {
      inputs = session.getInputInfo();
      outputs = session.getOutputInfo();
    } catch (OrtException e) {
      throw new ModelLoadException("Cannot read the decoder graph's inputs and outputs: " + e.getMessage(), e);
    }
    ModelSpec spec = complete(declared, inputs, outputs);
    Checker check = new Checker(spec, inputs, outputs);
    OnnxJavaType idsType = check.integer(inputs, spec.inputIds(), "input");
    OnnxJavaType maskType = check.integer(inputs, spec.attentionMask(), "input");
    String positionIds = inputs.containsKey(spec.positionIds()) ? spec.positionIds() : null;
    OnnxJavaType positionType = positionIds == null ? OnnxJavaType.INT64 : check.integer(inputs, positionIds, "input");
    OnnxJavaType logitsType = check.floating(outputs, spec.logits(), "output");
    long[] logitsShape = check.info(outputs, spec.logits(), "output").getShape();
    check.rank(spec.logits(), logitsShape, 3);
    check.dimension(spec.logits(), logitsShape, 2, spec.vocabSize(), "vocab_size");

    List<String> past = new ArrayList<>();
    List<String> present = new ArrayList<>();
    for (int layer = 0; layer < spec.layers(); layer++) {
      past.add(String.format(Locale.ROOT, spec.pastKeyTemplate(), layer));
      present.add(String.format(Locale.ROOT, spec.presentKeyTemplate(), layer));
      if (!spec.combinedKv()) {
        past.add(String.format(Locale.ROOT, spec.pastValueTemplate(), layer));
        present.add(String.format(Locale.ROOT, spec.presentValueTemplate(), layer));
      }
    }
    OnnxJavaType kvType = null;
    for (int i = 0; i < past.size(); i++) {
      for (OnnxJavaType type : List.of(check.kv(inputs, past.get(i), "input"), check.kv(outputs, present.get(i), "output"))) {
        if (kvType != null && type != kvType) {
          throw new ModelLoadException(check.where() + ": KV cache tensors mix element types (" + kvType + " and " + type
              + " at '" + past.get(i) + "' / '" + present.get(i) + "').");
        }
        kvType = type;
      }
    }
    Set<String> known = new LinkedHashSet<>(past);
    known.add(spec.inputIds());
    known.add(spec.attentionMask());
    known.add(spec.positionIds());
    Set<String> unknown = new LinkedHashSet<>(inputs.keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new ModelLoadException(
          check.where() + ": the decoder graph has inputs this backend does not know how to feed: " + unknown
              + ". Expected only " + known + " (a decoder-only model exported with its KV cache, e.g. Optimum's"
              + " text-generation-with-past task).");
    }
    return new GraphLayout(
        spec.inputIds(), idsType, spec.attentionMask(), maskType, positionIds, positionType,
        spec.logits(), logitsType, past, present, spec.combinedKv(), kvType,
        spec.kvHeads(), spec.headSize(), spec.vocabSize(), spec.leftPadding());
  }

  /**
   * Fills in the dimensions the configuration leaves out, as ONNX Runtime GenAI's reader allows:
   * the layer count from the graph's KV inputs, KV heads and head size from the KV input's fixed
   * dimensions (else from the attention heads and hidden size), the vocabulary from the logits.
   */
  private static ModelSpec complete(ModelSpec spec, Map<String, NodeInfo> inputs, Map<String, NodeInfo> outputs) {
    String where = spec.decoderFile() + " (configured by " + spec.source() + ")";
    int layers = spec.layers();
    String firstPast = String.format(Locale.ROOT, spec.pastKeyTemplate(), 0);
    if (layers == 0) {
      while (inputs.containsKey(String.format(Locale.ROOT, spec.pastKeyTemplate(), layers))) {
        layers++;
      }
      if (layers == 0) {
        throw new ModelLoadException(where + ": " + spec.field(Dimension.LAYERS) + " is not configured, and the graph"
            + " has no input '" + firstPast + "' to count the layers by; its inputs are " + inputs.keySet() + ".");
      }
    }
    long[] kvShape = shapeOf(inputs.get(firstPast));
    int offset = spec.combinedKv() ? 1 : 0;
    int kvHeads = firstPositive(spec.kvHeads(), fixed(kvShape, offset + 1), spec.attentionHeads());
    if (kvHeads == 0) {
      throw new ModelLoadException(where + ": " + spec.field(Dimension.KV_HEADS) + " is not configured, the"
          + " attention heads are not given either, and '" + firstPast + "' has no fixed size at axis " + (offset + 1) + " (shape "
          + Arrays.toString(kvShape) + ").");
    }
    int divided = spec.attentionHeads() > 0 && spec.hiddenSize() % spec.attentionHeads() == 0
        ? spec.hiddenSize() / spec.attentionHeads() : 0;
    int headSize = firstPositive(spec.headSize(), fixed(kvShape, offset + 3), divided);
    if (headSize == 0) {
      throw new ModelLoadException(where + ": " + spec.field(Dimension.HEAD_SIZE) + " is not configured, '"
          + firstPast + "' has no fixed size at axis " + (offset + 3) + " (shape " + Arrays.toString(kvShape)
          + "), and the hidden size and attention heads are not both given to derive it.");
    }
    int vocabSize = firstPositive(spec.vocabSize(), fixed(shapeOf(outputs.get(spec.logits())), 2));
    if (vocabSize == 0) {
      throw new ModelLoadException(where + ": " + spec.field(Dimension.VOCAB_SIZE) + " is not configured, and the"
          + " output '" + spec.logits() + "' has no fixed size at axis 2 to take it from.");
    }
    return spec.completedBy(layers, kvHeads, headSize, vocabSize);
  }

  private static long[] shapeOf(@Nullable NodeInfo node) {
    return node != null && node.getInfo() instanceof TensorInfo tensor ? tensor.getShape() : new long[0];
  }

  /** The size at {@code axis} when the graph fixes it, else 0. */
  private static int fixed(long[] shape, int axis) {
    return axis < shape.length && shape[axis] > 0 && shape[axis] <= Integer.MAX_VALUE ? (int) shape[axis] : 0;
  }

  private static int firstPositive(int... candidates) {
    for (int candidate : candidates) {
      if (candidate > 0) {
        return candidate;
      }
    }
    return 0;
  }

  /** Builds error messages that say what was expected and what the graph has. */
  private record Checker(ModelSpec spec, Map<String, NodeInfo> inputs, Map<String, NodeInfo> outputs) {

    String where() {
      return spec.decoderFile() + " (configured by " + spec.source() + ")";
    }

    TensorInfo info(Map<String, NodeInfo> side, String name, String kind) {
      NodeInfo node = side.get(name);
      if (node == null) {
        throw new ModelLoadException(
            where() + ": expected " + kind + " '" + name + "', but the graph's " + kind + "s are " + side.keySet() + ".");
      }
      if (!(node.getInfo() instanceof TensorInfo tensor)) {
        throw new ModelLoadException(where() + ": expected " + kind + " '" + name + "' to be a tensor, found " + node.getInfo() + ".");
      }
      return tensor;
    }

    OnnxJavaType integer(Map<String, NodeInfo> side, String name, String kind) {
      OnnxJavaType type = info(side, name, kind).type;
      if (type != OnnxJavaType.INT64 && type != OnnxJavaType.INT32) {
        throw new ModelLoadException(where() + ": expected " + kind + " '" + name + "' of type int64 or int32, found " + type + ".");
      }
      return type;
    }

    OnnxJavaType floating(Map<String, NodeInfo> side, String name, String kind) {
      OnnxJavaType type = info(side, name, kind).type;
      if (type != OnnxJavaType.FLOAT && type != OnnxJavaType.FLOAT16) {
        throw new ModelLoadException(where() + ": expected " + kind + " '" + name + "' of type float32 or float16, found " + type + ".");
      }
      return type;
    }

    /** A KV cache tensor: float32 or float16, of the configured heads and head size. */
    OnnxJavaType kv(Map<String, NodeInfo> side, String name, String kind) {
      OnnxJavaType type = floating(side, name, kind);
      long[] shape = info(side, name, kind).getShape();
      int offset = spec.combinedKv() ? 1 : 0;
      rank(name, shape, 4 + offset);
      if (spec.combinedKv()) {
        dimension(name, shape, 0, 2, "key and value");
      }
      dimension(name, shape, offset + 1, spec.kvHeads(), "num_key_value_heads");
      dimension(name, shape, offset + 3, spec.headSize(), "head_size");
      return type;
    }

    void rank(String name, long[] shape, int expected) {
      if (shape.length != expected) {
        throw new ModelLoadException(
            where() + ": expected '" + name + "' to have " + expected + " dimensions, found shape " + Arrays.toString(shape) + ".");
      }
    }

    /** A fixed dimension must match the configuration; a symbolic one (-1) is accepted. */
    void dimension(String name, long[] shape, int axis, int expected, String what) {
      if (shape[axis] >= 0 && shape[axis] != expected) {
        throw new ModelLoadException(
            where() + ": '" + name + "' has " + shape[axis] + " at axis " + axis + " but the configuration says "
                + what + " = " + expected + ".");
      }
    }
  }
}
