package dev.modelhost.backend.djl;

import dev.modelhost.backend.djl.internal.DjlDecoderLoader;
import dev.modelhost.engine.Decoder;
import dev.modelhost.engine.LocalBackendProvider;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.spi.ModelSource;
import java.util.List;
import java.util.Set;

/**
 * The {@code djl} backend: Llama-family models (Llama 2/3, SmolLM, Mistral, Qwen2) from a Hugging
 * Face folder ({@code config.json}, {@code model.safetensors} or its sharded index, tokenizer files),
 * run with DJL on libtorch. F32, F16 and BF16 weights are computed in float32, on the first GPU when
 * libtorch sees one and on the CPU otherwise. Replicas share one copy of the weights.
 *
 * <p>Options: {@code device} ({@code auto}, {@code cpu}, {@code gpu}, {@code gpu:N}) and
 * {@code threads} (libtorch's intra-op threads, process-wide). On a machine whose cores are busy
 * with other work, start the JVM with {@code OMP_WAIT_POLICY=PASSIVE}: libtorch's OpenMP threads
 * otherwise spin while they wait for each other and a decoder step can take many times longer.
 */
public final class DjlBackendProvider extends LocalBackendProvider {

  /** The name that selects this backend. */
  public static final String NAME = "djl";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected Decoder loadDecoder(ModelDirectory dir, ModelSource source) {
    return DjlDecoderLoader.load(dir.readJson("config.json"), dir::resolve, source);
  }

  /** {@code config.json}, the root's {@code *.safetensors} files and their index, when sharded. */
  @Override
  protected List<String> weightFiles(List<String> available, ModelSource source) {
    List<String> weights = available.stream()
        .filter(path -> !path.contains("/"))
        .filter(path -> path.endsWith(".safetensors") || path.equals("model.safetensors.index.json"))
        .toList();
    if (!available.contains("config.json") || weights.stream().noneMatch(path -> path.endsWith(".safetensors"))) {
      throw new ModelLoadException("The djl backend needs config.json and *.safetensors weights at the model's"
          + " root. It has: " + listing(available));
    }
    return weights;
  }

  @Override
  protected Set<String> backendOptionNames() {
    return Set.of(DjlDecoderLoader.DEVICE_OPTION, DjlDecoderLoader.THREADS_OPTION);
  }
}
