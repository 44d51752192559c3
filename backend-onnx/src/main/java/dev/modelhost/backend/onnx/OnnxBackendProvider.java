package dev.modelhost.backend.onnx;

import dev.modelhost.backend.onnx.internal.OnnxDecoder;
import dev.modelhost.engine.Decoder;
import dev.modelhost.engine.LocalBackendProvider;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.spi.ModelSource;

/**
 * The {@code onnx} backend: decoder-only language models in ONNX Runtime, from a directory in
 * either of two layouts:
 *
 * <ul>
 *   <li>an ONNX Runtime GenAI model-builder output: {@code genai_config.json} naming the decoder
 *       file and its inputs and outputs (separate {@code past_key_values.%d.key}/{@code .value}
 *       tensors or combined GPT-2 style {@code past_%d});
 *   <li>a Hugging Face Optimum export: {@code config.json}, {@code generation_config.json} and
 *       {@code model.onnx} with {@code past_key_values.N.key/value} inputs and
 *       {@code present.N.key/value} outputs.
 * </ul>
 *
 * <p>Either may use int32 or int64 ids, float32 or float16 KV cache and logits, and external
 * weights ({@code model.onnx.data}). All replicas of a service share one ONNX Runtime session, so
 * the weights are in memory once; each request owns only its KV cache.
 *
 * <p>Options of the {@link ModelSource}: {@code threads} (intra-op threads, default: available
 * processors); {@code device} ({@code auto}, the default: CUDA when the {@code onnxruntime_gpu}
 * artifact is on the classpath and a GPU answers, else CPU; {@code cuda}; {@code cpu}); and the
 * engine's {@code max-batch} and {@code prefill-chunk} ({@link LocalBackendProvider}).
 */
public final class OnnxBackendProvider extends LocalBackendProvider {

  /** The name services select this backend by. */
  public static final String NAME = "onnx";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected Decoder loadDecoder(ModelDirectory dir, ModelSource source) {
    return OnnxDecoder.load(dir, source);
  }
}
