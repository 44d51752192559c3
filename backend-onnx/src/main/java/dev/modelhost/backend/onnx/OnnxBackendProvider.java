package dev.modelhost.backend.onnx;

import dev.modelhost.backend.onnx.internal.OnnxDecoder;
import dev.modelhost.backend.onnx.internal.OnnxWeightFiles;
import dev.modelhost.engine.Decoder;
import dev.modelhost.engine.LocalBackendProvider;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.spi.ModelSource;
import java.util.List;
import java.util.Set;

/**
 * The {@code onnx} backend: decoder-only language models in ONNX Runtime, from a directory in
 * one of these layouts:
 *
 * <ul>
 *   <li>an ONNX Runtime GenAI model-builder output: {@code genai_config.json} naming the decoder
 *       file and its inputs and outputs (separate {@code past_key_values.%d.key}/{@code .value}
 *       tensors or combined GPT-2 style {@code past_%d}). As in GenAI's own reader only
 *       {@code model.context_length} and {@code model.decoder.filename} are required; layers, KV
 *       heads, head size and vocabulary come from the graph when the file leaves them out;
 *   <li>a Hugging Face Optimum export: {@code config.json}, {@code generation_config.json} and
 *       {@code model.onnx} with {@code past_key_values.N.key/value} inputs and
 *       {@code present.N.key/value} outputs;
 *   <li>the onnx-community layout of transformers.js models: the same files with the graphs in
 *       {@code onnx/} ({@code model.onnx}, {@code model_q4.onnx}, {@code model_fp16.onnx}, ...).
 * </ul>
 *
 * <p>Any may use int32 or int64 ids, float32 or float16 KV cache and logits, and external
 * weights ({@code model.onnx.data}, {@code model.onnx_data}). All replicas of a service share one
 * ONNX Runtime session, so the weights are in memory once; each request owns only its KV cache.
 *
 * <p>Options of the {@link ModelSource}: {@code variant} (which graph: {@code fp32}, the default,
 * is {@code model.onnx}; {@code q4} is {@code model_q4.onnx}, and so on for any sibling
 * {@code <name>_<variant>.onnx}; without the option and without {@code model.onnx} the only
 * variant is used); {@code threads} (intra-op threads, default: available processors);
 * {@code device} ({@code auto}, the default: CUDA when the {@code onnxruntime_gpu} artifact is on
 * the classpath and a GPU answers, else CPU; {@code cuda}; {@code cpu}); and the engine's
 * {@code max-batch}, {@code prefill-chunk} and {@code kv-cache-tokens} ({@link LocalBackendProvider}).
 * The KV cache's bytes per token (from the graph's KV inputs) are logged at load, to size
 * {@code kv-cache-tokens} in memory.
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

  @Override
  protected List<String> weightFiles(List<String> available, ModelSource source) {
    return OnnxWeightFiles.choose(available, source);
  }

  @Override
  protected Set<String> backendOptionNames() {
    return OnnxDecoder.OPTIONS;
  }
}
