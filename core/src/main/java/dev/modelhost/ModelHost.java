package dev.modelhost;

import dev.modelhost.api.ChatCompletion;
import dev.modelhost.api.ChatCompletionChunk;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.Completion;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.api.ModelList;
import java.util.List;

/**
 * The in-process entry point: deploys model services and answers OpenAI-shaped requests to them.
 * Requests name a service by its access path name ({@code owner/name}) in {@code model}.
 *
 * <p>Thread-safe. Closing it deletes every service and frees their models.
 */
public interface ModelHost extends AutoCloseable {

  /** A builder for an in-process host; backends are discovered with {@link java.util.ServiceLoader}. */
  static ModelHostBuilder builder() {
    return new ModelHostBuilder();
  }

  /** Creates a service and starts loading it; returns at once with status {@code CREATING}. */
  ModelService deploy(ServiceSpec spec);

  /** The service's current description; {@link dev.modelhost.exception.NotFoundException} if none. */
  ModelService describe(String accessPath);

  /** Every live service, ordered by access path name. */
  List<ModelService> services();

  /** Changes the number of replicas while requests flow; returns at once with status {@code SCALING}. */
  ModelService scale(String accessPath, int replicas);

  /**
   * Deletes a service. {@code confirmName} must repeat the service's name. New requests get
   * not-found at once; requests in flight finish first, then the model is freed.
   */
  void delete(String accessPath, String confirmName);

  /**
   * Waits until the service serves requests ({@code RUNNING}, or {@code SCALING} with a replica
   * ready) and returns its description.
   *
   * @throws dev.modelhost.exception.ModelLoadException when the service is or becomes {@code FAILED}
   * @throws dev.modelhost.exception.OverloadedException when it is still not serving after the timeout
   * @throws dev.modelhost.exception.NotFoundException when there is no such service or it is deleted
   */
  ModelService awaitRunning(String accessPath, java.time.Duration timeout);

  /** The services as an OpenAI model list. */
  ModelList models();

  ChatCompletion chat(ChatCompletionRequest request, Caller caller);

  default ChatCompletion chat(ChatCompletionRequest request) {
    return chat(request, Caller.LOCAL);
  }

  /** Streams a chat answer; closing the stream cancels the generation. */
  ResponseStream<ChatCompletionChunk> streamChat(ChatCompletionRequest request, Caller caller);

  default ResponseStream<ChatCompletionChunk> streamChat(ChatCompletionRequest request) {
    return streamChat(request, Caller.LOCAL);
  }

  Completion complete(CompletionRequest request, Caller caller);

  default Completion complete(CompletionRequest request) {
    return complete(request, Caller.LOCAL);
  }

  /** Streams a legacy completion; closing the stream cancels the generation. */
  ResponseStream<Completion> streamComplete(CompletionRequest request, Caller caller);

  default ResponseStream<Completion> streamComplete(CompletionRequest request) {
    return streamComplete(request, Caller.LOCAL);
  }

  @Override
  void close();
}
