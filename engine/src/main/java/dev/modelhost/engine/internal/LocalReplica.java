package dev.modelhost.engine.internal;

import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.api.ContentPart;
import dev.modelhost.api.MessageContent;
import dev.modelhost.api.Prompt;
import dev.modelhost.api.StopSequences;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolChoice;
import dev.modelhost.api.Usage;
import dev.modelhost.engine.Decoder;
import dev.modelhost.engine.internal.grammar.TokenConstraint;
import dev.modelhost.engine.internal.tools.ToolCallStream;
import dev.modelhost.exception.ContextLengthExceededException;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.KvCacheBudgetExceededException;
import dev.modelhost.spi.ChoiceDelta;
import dev.modelhost.spi.GenerationListener;
import dev.modelhost.spi.InferenceRequest;
import dev.modelhost.spi.Replica;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * A replica that batches continuously: each {@link #execute} call renders and tokenizes its request
 * on the caller's thread, hands the request's sequences to the replica's {@link StepLoop}, and waits
 * until the loop has finished them. Up to {@link #capacity()} requests run at once; the loop steps
 * all of their sequences together. KV caches live only as long as their sequence.
 *
 * <p>Requests arrive checked by core's request validator (field ranges, {@code n}, {@code suffix},
 * {@code best_of}, {@code top_logprobs} with {@code logprobs}, ...). This class checks only what
 * depends on the model: the chat template, text-only content, the vocabulary and the context
 * window; output constraints ({@code response_format}, {@code tool_choice}, {@code strict},
 * {@code parallel_tool_calls}) become one grammar ({@link OutputConstraints}).
 */
final class LocalReplica implements Replica {

  private final LocalModelRuntime runtime;
  private final StepLoop loop;
  private volatile boolean closed;

  LocalReplica(LocalModelRuntime runtime, int index) {
    this.runtime = runtime;
    this.loop = new StepLoop(runtime.decoder(), runtime.batching(), "modelhost-step-" + index);
  }

  /**
   * What a request asks to be generated.
   *
   * @param tools the tools the answer may call; null when calls are not looked for
   * @param streamed whether the answer is streamed; otherwise calls are held back until whole, so
   *     that a call cut off is given back as content rather than sent broken
   * @param promptParam the request's parameter that holds the prompt, for errors about its length
   * @param limitParam the request's parameter that sets the completion limit, likewise
   */
  private record Plan(
      List<int[]> prompts, List<@Nullable String> echoes, int n, SamplingParams params, @Nullable List<Tool> tools,
      boolean streamed, @Nullable TokenConstraint constraint, String promptParam, String limitParam) {}

  /**
   * The most requests this replica steps together: its {@code max-batch}. A {@code kv-cache-tokens}
   * budget may hold some of them in the step loop's waiting line, so fewer run at a time.
   */
  @Override
  public int capacity() {
    return runtime.batching().maxBatch();
  }

  @Override
  public void execute(InferenceRequest request, GenerationListener listener) {
    if (closed || runtime.isClosed()) {
      throw new IllegalStateException("The replica was closed.");
    }
    Plan plan = request instanceof InferenceRequest.Chat chat
        ? plan(chat.request())
        : plan(((InferenceRequest.Text) request).request());
    int[] limits = new int[plan.prompts().size()];
    int promptTokens = 0;
    for (int p = 0; p < limits.length; p++) {
      int length = plan.prompts().get(p).length;
      limits[p] = completionLimit(length, plan.params().maxTokens());
      requireKvBudget(plan, length, limits[p]);
      promptTokens += length;
    }
    Generation generation = new Generation(listener, request.cancellation());
    boolean submitted = false;
    try {
      SplittableRandom root = plan.params().seed() == null ? new SplittableRandom() : new SplittableRandom(plan.params().seed());
      Decoder decoder = runtime.decoder();
      int vocab = decoder.config().vocabSize();
      for (int p = 0; p < limits.length; p++) {
        int[] prompt = plan.prompts().get(p);
        for (int j = 0; j < plan.n(); j++) {
          int index = p * plan.n() + j;
          String echo = plan.echoes().get(p);
          if (echo != null && !echo.isEmpty()) {
            listener.onDelta(ChoiceDelta.text(index, echo));
          }
          TokenSampler sampler = new TokenSampler(plan.params(), vocab, root.split(), prompt);
          ToolCallStream toolCalls = plan.tools() == null ? null
              : new ToolCallStream(runtime.toolFormat(), plan.tools(), !plan.streamed());
          Sequence sequence = new Sequence(index, prompt, decoder.newState(), sampler, runtime.tokenizer(), runtime.eos(),
              limits[p], toolCalls, runtime.toolMarkers(), plan.constraint(), generation);
          generation.add(sequence);
          if (limits[p] == 0) {
            sequence.finishEmpty();
            sequence.close();
          }
        }
      }
      if (!generation.unfinished().isEmpty()) {
        request.cancellation().onCancel(loop::wake);
        loop.submit(generation);
        submitted = true;
        generation.await();
      }
    } finally {
      if (!submitted) {
        // The loop closes what it was given; before that, the caches are this thread's to free.
        generation.unfinished().forEach(Sequence::close);
      }
    }
    int completionTokens = 0;
    for (Sequence sequence : generation.sequences()) {
      completionTokens += sequence.generated();
    }
    listener.onUsage(Usage.of(promptTokens, completionTokens), false);
  }

  private int completionLimit(int promptLength, @Nullable Integer maxTokens) {
    int window = runtime.contextWindow();
    if (maxTokens == null) {
      if (promptLength >= window) {
        throw new ContextLengthExceededException(window, promptLength, 1);
      }
      return window - promptLength;
    }
    if ((long) promptLength + maxTokens > window) {
      throw new ContextLengthExceededException(window, promptLength, maxTokens);
    }
    return maxTokens;
  }

  /**
   * Refuses a sequence that alone would hold more KV-cache tokens than the replica's budget: it
   * could never join the loop, and would wait for its deadline in vain.
   */
  private void requireKvBudget(Plan plan, int promptLength, int limit) {
    BatchOptions batching = runtime.batching();
    if (batching.kvCacheBounded() && limit > 0 && (long) promptLength + limit > batching.kvCacheTokens()) {
      throw new KvCacheBudgetExceededException(batching.kvCacheTokens(), promptLength, limit,
          plan.params().maxTokens() != null, plan.promptParam(), plan.limitParam());
    }
  }

  private Plan plan(ChatCompletionRequest request) {
    boolean tools = request.tools() != null && !request.tools().isEmpty() && !ToolChoice.NONE.equals(request.toolChoice());
    ChatTemplate template = runtime.chatTemplate(tools);
    if (template == null) {
      throw new InvalidRequestException(
          "This model has no chat template, so it cannot serve chat completions; send a prompt to"
              + " /v1/completions instead.",
          "messages",
          "chat_template_missing");
    }
    requireTextOnly(request.messages());
    String rendered = template.render(request.messages(), tools ? request.tools() : null, true);
    int[] prompt = runtime.tokenizer().encodeRendered(rendered);
    requireTokens(prompt, "messages");
    int topLogprobs = Boolean.TRUE.equals(request.logprobs()) ? (request.topLogprobs() == null ? 0 : request.topLogprobs()) : -1;
    SamplingParams params = SamplingParams.resolve(
        runtime.generationConfig(), runtime.decoder().config().vocabSize(),
        request.temperature(), request.topP(), request.topK(), request.minP(),
        request.presencePenalty(), request.frequencyPenalty(), request.repetitionPenalty(),
        request.logitBias(), topLogprobs, request.seed(), request.completionTokenLimit(), stops(request.stop()));
    List<@Nullable String> echoes = new ArrayList<>();
    echoes.add(null);
    TokenConstraint constraint = runtime.constraints().of(request, tools);
    return new Plan(List.of(prompt), echoes, request.choiceCount(), params, tools ? request.tools() : null,
        Boolean.TRUE.equals(request.stream()), constraint, "messages",
        request.maxCompletionTokens() != null ? "max_completion_tokens" : "max_tokens");
  }

  /**
   * Local models read text only: images, audio and files are refused (as OpenAI refuses input a
   * model cannot take) rather than silently left out of the prompt.
   */
  private static void requireTextOnly(List<ChatMessage> messages) {
    for (int i = 0; i < messages.size(); i++) {
      MessageContent content = messages.get(i).content();
      if (content == null || !content.isParts()) {
        continue;
      }
      List<ContentPart> parts = content.parts();
      for (int j = 0; j < parts.size(); j++) {
        String type = parts.get(j).type();
        if (!ContentPart.TEXT.equals(type) && !"refusal".equals(type)) {
          throw new InvalidRequestException(
              "Content parts of type '" + type + "' are not supported: this model reads text only.",
              "messages[" + i + "].content[" + j + "]",
              "unsupported_content");
        }
      }
    }
  }

  private Plan plan(CompletionRequest request) {
    Prompt prompt = Objects.requireNonNull(request.prompt(), "prompt");
    int n = request.choiceCount();
    TextTokenizer tokenizer = runtime.tokenizer();
    int vocab = runtime.decoder().config().vocabSize();
    List<int[]> prompts = new ArrayList<>(prompt.size());
    List<@Nullable String> echoes = new ArrayList<>(prompt.size());
    boolean echo = Boolean.TRUE.equals(request.echo());
    for (int i = 0; i < prompt.size(); i++) {
      int[] tokens;
      String text;
      if (prompt.isTokens(i)) {
        tokens = prompt.tokens(i);
        for (int token : tokens) {
          if (token >= vocab) {
            throw new InvalidRequestException(
                "Token id " + token + " in 'prompt' is outside the vocabulary (0.." + (vocab - 1) + ").", "prompt", "invalid_value");
          }
        }
        text = echo ? tokenizer.decode(tokens) : null;
      } else {
        text = prompt.text(i);
        tokens = tokenizer.encodePrompt(text);
      }
      requireTokens(tokens, "prompt");
      prompts.add(tokens);
      echoes.add(echo ? text : null);
    }
    Integer maxTokens = request.maxTokens() == null ? CompletionRequest.DEFAULT_MAX_TOKENS : request.maxTokens();
    int topLogprobs = request.logprobs() == null ? -1 : request.logprobs();
    SamplingParams params = SamplingParams.resolve(
        runtime.generationConfig(), vocab,
        request.temperature(), request.topP(), request.topK(), request.minP(),
        request.presencePenalty(), request.frequencyPenalty(), request.repetitionPenalty(),
        request.logitBias(), topLogprobs, request.seed(), maxTokens, stops(request.stop()));
    return new Plan(prompts, echoes, n, params, null, Boolean.TRUE.equals(request.stream()), null, "prompt", "max_tokens");
  }

  private static void requireTokens(int[] tokens, String param) {
    if (tokens.length == 0) {
      throw new InvalidRequestException("The prompt is empty after tokenization.", param, "invalid_value");
    }
  }

  private static @Nullable List<String> stops(@Nullable StopSequences stop) {
    return stop == null ? null : stop.values();
  }

  /** Refuses new requests; the step loop's thread ends once idle. */
  @Override
  public void close() {
    closed = true;
    loop.close();
  }
}
