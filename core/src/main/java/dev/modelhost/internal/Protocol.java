package dev.modelhost.internal;

import dev.modelhost.api.ChatCompletion;
import dev.modelhost.api.ChatCompletionChunk;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.Completion;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.api.Prompt;
import dev.modelhost.api.Usage;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ChoiceDelta;
import dev.modelhost.spi.InferenceRequest;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What differs between the two endpoints: request type {@code Q}, whole response {@code R}, stream
 * chunk {@code C}. Everything else about a request is handled once, in {@link RequestHandler}.
 */
interface Protocol<Q, R, C> {

  /** {@code /v1/chat/completions}. */
  Protocol<ChatCompletionRequest, ChatCompletion, ChatCompletionChunk> CHAT = new Protocol<>() {
    @Override
    public String endpoint() {
      return "chat.completions";
    }

    @Override
    public @Nullable String model(ChatCompletionRequest request) {
      return request.model();
    }

    @Override
    public void validate(ChatCompletionRequest request, int maxChoices, boolean streaming) {
      RequestValidator.validateChat(request, maxChoices, streaming);
    }

    @Override
    public boolean streamRequested(ChatCompletionRequest request) {
      return request.isStream();
    }

    @Override
    public boolean includeUsage(ChatCompletionRequest request) {
      return request.includeUsageInStream();
    }

    @Override
    public int promptChars(ChatCompletionRequest request) {
      return request.messages() == null ? 0 : request.messages().stream().mapToInt(m -> m.text().length()).sum();
    }

    @Override
    public InferenceRequest inference(String id, ChatCompletionRequest request, Cancellation cancellation) {
      return new InferenceRequest.Chat(id, request, cancellation);
    }

    @Override
    public ResponseAssembler assembler(long created, String model, ChatCompletionRequest request) {
      return new ResponseAssembler(ResponseAssembler.newId("chatcmpl-"), created, model,
          Boolean.TRUE.equals(request.logprobs()), i -> "");
    }

    @Override
    public ChatCompletion whole(ResponseAssembler assembler, Usage usage) {
      return assembler.chatCompletion(usage);
    }

    @Override
    public List<ChatCompletionChunk> chunks(ResponseAssembler assembler, ChoiceDelta delta) {
      return assembler.chatChunks(delta);
    }

    @Override
    public ChatCompletionChunk usageChunk(ResponseAssembler assembler, Usage usage) {
      return assembler.chatUsageChunk(usage);
    }
  };

  /** {@code /v1/completions}. */
  Protocol<CompletionRequest, Completion, Completion> TEXT = new Protocol<>() {
    @Override
    public String endpoint() {
      return "completions";
    }

    @Override
    public @Nullable String model(CompletionRequest request) {
      return request.model();
    }

    @Override
    public void validate(CompletionRequest request, int maxChoices, boolean streaming) {
      RequestValidator.validateCompletion(request, maxChoices, streaming);
    }

    @Override
    public boolean streamRequested(CompletionRequest request) {
      return request.isStream();
    }

    @Override
    public boolean includeUsage(CompletionRequest request) {
      return request.includeUsageInStream();
    }

    @Override
    public int promptChars(CompletionRequest request) {
      Prompt prompt = request.prompt();
      int chars = 0;
      for (int i = 0; prompt != null && i < prompt.size(); i++) {
        // Four characters make a token, roughly; a token id is one.
        chars += prompt.isTokens(i) ? 4 * prompt.tokens(i).length : prompt.text(i).length();
      }
      return chars;
    }

    @Override
    public InferenceRequest inference(String id, CompletionRequest request, Cancellation cancellation) {
      return new InferenceRequest.Text(id, request, cancellation);
    }

    @Override
    public ResponseAssembler assembler(long created, String model, CompletionRequest request) {
      Prompt prompt = request.prompt();
      int n = request.choiceCount();
      boolean echo = Boolean.TRUE.equals(request.echo()) && prompt != null;
      // Choice i answers prompt i / n.
      return new ResponseAssembler(ResponseAssembler.newId("cmpl-"), created, model, request.logprobs() != null,
          i -> echo ? prompt.text(i / n) : "");
    }

    @Override
    public Completion whole(ResponseAssembler assembler, Usage usage) {
      return assembler.completion(usage);
    }

    @Override
    public List<Completion> chunks(ResponseAssembler assembler, ChoiceDelta delta) {
      return assembler.completionChunks(delta);
    }

    @Override
    public Completion usageChunk(ResponseAssembler assembler, Usage usage) {
      return assembler.completionUsageChunk(usage);
    }
  };

  /** The endpoint's name in usage records. */
  String endpoint();

  @Nullable String model(Q request);

  void validate(Q request, int maxChoices, boolean streaming);

  boolean streamRequested(Q request);

  boolean includeUsage(Q request);

  /** Characters of prompt text, for estimating tokens when a backend reports none. */
  int promptChars(Q request);

  InferenceRequest inference(String id, Q request, Cancellation cancellation);

  ResponseAssembler assembler(long created, String model, Q request);

  R whole(ResponseAssembler assembler, Usage usage);

  List<C> chunks(ResponseAssembler assembler, ChoiceDelta delta);

  C usageChunk(ResponseAssembler assembler, Usage usage);
}
