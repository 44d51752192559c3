package dev.modelhost.engine;

import dev.modelhost.engine.internal.BatchOptions;
import dev.modelhost.engine.internal.LocalModelRuntime;
import dev.modelhost.engine.internal.tools.ToolFormat;
import dev.modelhost.engine.internal.tools.ToolFormats;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.spi.BackendProvider;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.ModelSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Base of the backends that run a model in this process (ONNX Runtime, DJL). A subclass names
 * itself and loads a {@link Decoder}; this class does the rest, once for every backend:
 *
 * <ul>
 *   <li>opens {@link ModelSource#location()} as a {@link ModelDirectory};
 *   <li>loads the Hugging Face tokenizer ({@code tokenizer.json}, {@code tokenizer_config.json}),
 *       the chat template ({@code chat_template.jinja}, else {@code chat_template} in
 *       {@code tokenizer_config.json}) and {@code generation_config.json} (EOS ids, default sampling);
 *   <li>calls {@link #loadDecoder} once; every replica shares that decoder (the weights) and owns
 *       only its per-request KV caches;
 *   <li>renders chats, tokenizes, checks the context window, samples, matches stop sequences,
 *       streams text and tool calls, in the format the model's chat template and special tokens
 *       show (Hermes/Qwen, Llama 3 JSON, Mistral, DeepSeek, Phi-4-mini, Granite, Qwen3-Coder), or
 *       the one the {@code tool-parser} service option names (vLLM's parser names);
 *   <li>batches continuously: each replica steps the sequences of up to {@code max-batch}
 *       requests (service option, default 8) in one {@link Decoder#step} call, feeding prompts in
 *       chunks of at most {@code prefill-chunk} tokens a step (default 256); with
 *       {@code kv-cache-tokens} set, a sequence joins only while its prompt plus completion limit
 *       fits in what the active sequences leave of that many KV-cache tokens (no budget unless set).
 * </ul>
 *
 * <p>Subclasses must have a public no-argument constructor that does no work (ServiceLoader builds
 * every provider) and register in {@code META-INF/services/dev.modelhost.spi.BackendProvider}. A
 * minimal backend:
 *
 * <pre>{@code
 * public final class MyBackendProvider extends LocalBackendProvider {
 *   public String name() { return "my"; }
 *
 *   protected Decoder loadDecoder(ModelDirectory dir, ModelSource source) {
 *     DecoderConfig config = DecoderConfig.read(dir); // config.json
 *     return new MyDecoder(dir.resolve("model.bin"), config, source.intOption("threads", 2));
 *   }
 * }
 * }</pre>
 */
public abstract class LocalBackendProvider implements BackendProvider {

  /** The files beside the weights that the engine reads when they are there. */
  private static final List<String> MODEL_FILES = List.of("config.json", "generation_config.json",
      "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
      "chat_template.jinja", "chat_template.json");

  /**
   * Loads the model's weights from {@code dir}. Called once per {@link #load}, after the tokenizer
   * was loaded successfully. The returned decoder is closed when the runtime is closed.
   *
   * @param source the service's source, for backend options such as {@code threads}
   * @throws ModelLoadException when the files are missing, unsupported or fail to load
   */
  protected abstract Decoder loadDecoder(ModelDirectory dir, ModelSource source);

  /**
   * Loads tokenizer, chat template and generation config from the model directory, then the
   * decoder, and returns the runtime whose replicas share them.
   *
   * @throws ModelLoadException when the directory or a file in it cannot be used
   */
  @Override
  public final ModelRuntime load(ModelSource source) {
    BatchOptions batching = BatchOptions.of(source);
    ToolFormat toolParser = ToolFormats.option(source);
    ModelDirectory dir = ModelDirectory.open(source.location());
    return LocalModelRuntime.open(dir, batching, toolParser, () -> loadDecoder(dir, source));
  }

  /**
   * The tokenizer, configuration and chat template files that a model repository has, and the
   * weights that {@link #weightFiles} chooses.
   */
  @Override
  public final List<String> filesToFetch(List<String> available, ModelSource source) {
    if (!available.contains("tokenizer.json")) {
      throw new ModelLoadException("The model has no tokenizer.json at its root, which the " + name()
          + " backend needs. It has: " + listing(available));
    }
    List<String> chosen = new ArrayList<>(MODEL_FILES.stream().filter(available::contains).toList());
    chosen.addAll(weightFiles(available, source));
    return chosen;
  }

  /**
   * The weight files to fetch, when the model comes from a hub. The default refuses.
   *
   * @param available every path in the model's repository
   * @throws ModelLoadException when none of them can be served, listing what was found
   */
  protected List<String> weightFiles(List<String> available, ModelSource source) {
    throw new ModelLoadException("The " + name() + " backend cannot choose weight files from a model repository.");
  }

  /** A repository's files for an error message: the first few, and how many more. */
  protected static String listing(List<String> files) {
    int shown = Math.min(files.size(), 40);
    return files.isEmpty() ? "no files." : String.join(", ", files.subList(0, shown))
        + (files.size() > shown ? " and " + (files.size() - shown) + " more." : ".");
  }

  /**
   * The engine's options ({@code max-batch}, {@code prefill-chunk}, {@code kv-cache-tokens},
   * {@code tool-parser}) and the
   * backend's own.
   */
  @Override
  public final Set<String> optionNames() {
    Set<String> names = new TreeSet<>(BatchOptions.NAMES);
    names.add(ToolFormats.OPTION);
    names.addAll(backendOptionNames());
    return Set.copyOf(names);
  }

  /** The options that {@link #loadDecoder} reads; none by default. */
  protected Set<String> backendOptionNames() {
    return Set.of();
  }
}
