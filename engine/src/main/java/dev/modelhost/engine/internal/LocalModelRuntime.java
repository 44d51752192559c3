package dev.modelhost.engine.internal;

import dev.modelhost.engine.Decoder;
import dev.modelhost.engine.DecoderConfig;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.engine.internal.tools.ToolFormat;
import dev.modelhost.engine.internal.tools.ToolFormats;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.spi.ModelDescriptor;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.Replica;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A loaded local model: one decoder (the weights) and one tokenizer shared by every replica. */
public final class LocalModelRuntime implements ModelRuntime {

  private static final Logger LOG = LoggerFactory.getLogger(LocalModelRuntime.class);

  private final Decoder decoder;
  private final TextTokenizer tokenizer;
  private final GenerationConfig generationConfig;
  private final @Nullable ChatTemplate chatTemplate;
  private final @Nullable ChatTemplate toolUseTemplate;
  private final int contextWindow;
  private final boolean[] eos;
  private final BatchOptions batching;
  private final ToolFormat toolFormat;
  private final boolean[] toolMarkers;
  private final OutputConstraints constraints;
  private final AtomicBoolean closed = new AtomicBoolean();

  private LocalModelRuntime(
      Decoder decoder,
      TextTokenizer tokenizer,
      GenerationConfig generationConfig,
      @Nullable ChatTemplate chatTemplate,
      @Nullable ChatTemplate toolUseTemplate,
      BatchOptions batching,
      ToolFormat toolFormat) {
    this.decoder = decoder;
    this.toolFormat = toolFormat;
    this.batching = batching;
    this.tokenizer = tokenizer;
    this.generationConfig = generationConfig;
    this.chatTemplate = chatTemplate;
    this.toolUseTemplate = toolUseTemplate;
    DecoderConfig config = decoder.config();
    if (config.vocabSize() <= 0) {
      throw new ModelLoadException("The decoder reports a vocabulary of " + config.vocabSize() + " tokens.");
    }
    this.contextWindow = config.contextWindow() > 0 ? config.contextWindow() : tokenizer.settings().modelMaxLength();
    if (contextWindow <= 0) {
      throw new ModelLoadException("The model states no context window (config or model_max_length).");
    }
    logKvCache(decoder.kvBytesPerToken(), batching, contextWindow);
    this.eos = new boolean[Math.max(config.vocabSize(), tokenizer.size())];
    config.eosTokenIds().forEach(this::markEos);
    generationConfig.eosTokenIds().forEach(this::markEos);
    markEos(tokenizer.eosId());
    this.toolMarkers = new boolean[tokenizer.size()];
    for (String marker : toolFormat.markers()) {
      int id = tokenizer.idOf(marker);
      if (id >= 0 && tokenizer.isSpecial(id)) {
        toolMarkers[id] = true;
      }
    }
    this.constraints = new OutputConstraints(
        tokenizer.constrainedVocabulary(config.vocabSize(), IntStream.range(0, eos.length).filter(i -> eos[i]).toArray(), toolMarkers),
        toolFormat);
  }

  /** Says what a token of KV cache costs, and what the {@code kv-cache-tokens} budget then holds. */
  private static void logKvCache(long bytesPerToken, BatchOptions batching, int contextWindow) {
    String perToken = bytesPerToken > 0 ? bytesPerToken + " bytes per token" : "bytes per token unknown";
    if (!batching.kvCacheBounded()) {
      LOG.info("KV cache: {}; no kv-cache-tokens budget, so up to {} sequences of {} tokens per replica.", perToken,
          batching.maxBatch(), contextWindow);
      return;
    }
    LOG.info("KV cache: {}; kv-cache-tokens {} per replica{}.", perToken, batching.kvCacheTokens(),
        bytesPerToken > 0 ? String.format(Locale.ROOT, " (%.1f MiB)", batching.kvCacheTokens() * (double) bytesPerToken / (1 << 20)) : "");
    if (batching.kvCacheTokens() < contextWindow) {
      LOG.warn("kv-cache-tokens {} is less than the context window of {} tokens: requests without max_tokens reserve"
          + " the whole window and are refused.", batching.kvCacheTokens(), contextWindow);
    }
  }

  private void markEos(int id) {
    if (id >= 0 && id < eos.length) {
      eos[id] = true;
    }
  }

  /**
   * Loads the tokenizer, chat template and generation config from {@code dir}, then the decoder.
   * Whatever was loaded is freed again when a later part fails.
   *
   * @param toolParser the tool-call format the service names; null to detect it from the chat
   *     template and the tokenizer's added tokens
   */
  public static LocalModelRuntime open(
      ModelDirectory dir, BatchOptions batching, @Nullable ToolFormat toolParser, Supplier<Decoder> decoderLoader) {
    TextTokenizer tokenizer = TextTokenizer.load(dir);
    Decoder decoder = null;
    try {
      GenerationConfig generationConfig = GenerationConfig.load(dir);
      TokenizerSettings settings = tokenizer.settings();
      ChatTemplate template = settings.chatTemplate() == null
          ? null
          : ChatTemplate.of(settings.chatTemplate(), settings.bosToken(), settings.eosToken());
      ChatTemplate toolUse = settings.toolUseChatTemplate() == null
          ? null
          : ChatTemplate.of(settings.toolUseChatTemplate(), settings.bosToken(), settings.eosToken());
      if (template == null) {
        LOG.info("Model {} has no chat template: it serves /v1/completions only.", dir);
      }
      ToolFormat toolFormat = toolParser != null ? toolParser : ToolFormats.detect(
          settings.toolUseChatTemplate() != null ? settings.toolUseChatTemplate() : settings.chatTemplate(),
          tokenizer.addedTokens());
      LOG.debug("Model {} writes tool calls in the {} format.", dir, toolFormat.name());
      try {
        decoder = decoderLoader.get();
      } catch (ModelhostException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new ModelLoadException("Cannot load the model in " + dir + ": " + e.getMessage(), e);
      }
      return new LocalModelRuntime(decoder, tokenizer, generationConfig, template, toolUse, batching, toolFormat);
    } catch (RuntimeException e) {
      if (decoder != null) {
        decoder.close();
      }
      tokenizer.close();
      throw e;
    }
  }

  @Override
  public ModelDescriptor descriptor() {
    return new ModelDescriptor(decoder.config().modelType(), contextWindow);
  }

  @Override
  public Replica createReplica(int index) {
    if (closed.get()) {
      throw new IllegalStateException("The model runtime was closed.");
    }
    return new LocalReplica(this, index);
  }

  BatchOptions batching() {
    return batching;
  }

  OutputConstraints constraints() {
    return constraints;
  }

  Decoder decoder() {
    return decoder;
  }

  TextTokenizer tokenizer() {
    return tokenizer;
  }

  GenerationConfig generationConfig() {
    return generationConfig;
  }

  /**
   * The template that renders a chat: as in transformers, the one named {@code tool_use} when the
   * request offers tools and the model has one, else the default.
   */
  @Nullable ChatTemplate chatTemplate(boolean tools) {
    return tools && toolUseTemplate != null ? toolUseTemplate : chatTemplate;
  }

  /** The format the model writes tool calls in. */
  ToolFormat toolFormat() {
    return toolFormat;
  }

  /** The special tokens, by id, that the tool format reads as text; do not modify. */
  boolean[] toolMarkers() {
    return toolMarkers;
  }

  int contextWindow() {
    return contextWindow;
  }

  /** EOS flags by token id; do not modify. */
  boolean[] eos() {
    return eos;
  }

  boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        decoder.close();
      } finally {
        tokenizer.close();
      }
    }
  }
}
