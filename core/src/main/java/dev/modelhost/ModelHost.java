package dev.modelhost;

import dev.modelhost.api.ChatCompletion;
import dev.modelhost.api.ChatCompletionChunk;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.Completion;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.api.ModelList;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.PassThroughCapable;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.JsonNode;

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

  /**
   * Changes the number of replicas while requests flow; returns at once, with status {@code SCALING}
   * until the new replicas have started and the removed ones have drained.
   */
  ModelService scale(String accessPath, int replicas);

  /**
   * Deletes a service: new requests get not-found at once; requests in flight finish first, then
   * the model is freed. Asking a person to confirm is the caller's business (the HTTP management
   * API asks for the name again).
   *
   * @throws dev.modelhost.exception.NotFoundException when no such service exists
   */
  void delete(String accessPath);

  /**
   * Waits until the service serves requests ({@code RUNNING}, or {@code SCALING} with a replica
   * ready) and returns its description.
   *
   * @throws dev.modelhost.exception.ModelLoadException when the service is or becomes {@code FAILED}
   * @throws dev.modelhost.exception.OverloadedException when it is still not serving after the timeout
   * @throws dev.modelhost.exception.NotFoundException when there is no such service or it is deleted
   */
  ModelService awaitRunning(String accessPath, Duration timeout);

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

  /**
   * Relays an OpenAI request that Modelhost does not model itself ({@code /v1/embeddings},
   * {@code /v1/images/generations}) to the service named by the body's {@code model}, whose backend
   * must be {@link PassThroughCapable} and support {@code endpoint}. The request waits for a replica
   * like any other (capacity, queue, deadline) and writes one usage record. Blocks until the answer
   * is complete; {@code cancellation} (one per request) cancels it from any thread, e.g. when an
   * HTTP client goes away, and so does interrupting the calling thread.
   *
   * @param body the request's JSON object, passed on as it is apart from {@code model}
   * @return the answer's JSON object, its {@code model} naming the service
   * @throws dev.modelhost.exception.InvalidRequestException when the body is not an object or
   *     {@code model} is missing or not a string (400)
   * @throws dev.modelhost.exception.NotFoundException when there is no such service
   *     ({@code model_not_found}), or its backend does not serve {@code endpoint} (404, as OpenAI
   *     answers a model that cannot serve an endpoint)
   * @throws dev.modelhost.exception.RequestCancelledException when cancelled
   */
  JsonNode passThrough(PassThroughCapable.Endpoint endpoint, JsonNode body, Caller caller, Cancellation cancellation);

  /** {@link #passThrough(PassThroughCapable.Endpoint, JsonNode, Caller, Cancellation)}, cancelled by an interrupt only. */
  default JsonNode passThrough(PassThroughCapable.Endpoint endpoint, JsonNode body, Caller caller) {
    return passThrough(endpoint, body, caller, new Cancellation());
  }

  @Override
  void close();
}
