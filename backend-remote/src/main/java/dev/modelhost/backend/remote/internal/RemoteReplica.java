package dev.modelhost.backend.remote.internal;

import dev.modelhost.api.Usage;
import dev.modelhost.spi.GenerationListener;
import dev.modelhost.spi.InferenceRequest;
import dev.modelhost.spi.Replica;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One upstream endpoint as a replica. It runs up to {@code capacity} requests at once, each a
 * streamed upstream request relayed delta by delta; when its endpoint is ejected a request fails
 * over to another healthy endpoint of the runtime.
 */
final class RemoteReplica implements Replica {

  private final RemoteRuntime runtime;
  private final Endpoint endpoint;

  RemoteReplica(RemoteRuntime runtime, Endpoint endpoint) {
    this.runtime = runtime;
    this.endpoint = endpoint;
  }

  @Override
  public int capacity() {
    return runtime.client().config().capacity();
  }

  @Override
  public void execute(InferenceRequest request, GenerationListener listener) {
    runtime.checkOpen();
    request.cancellation().throwIfCancelled();
    boolean chat = request instanceof InferenceRequest.Chat;
    String ourModel;
    String path;
    byte[] body;
    int promptEstimate;
    if (request instanceof InferenceRequest.Chat c) {
      ourModel = c.request().model();
      path = "chat/completions";
      body = UpstreamRequests.chat(c.request(), runtime.upstreamModel());
      promptEstimate = UpstreamRequests.estimatePromptTokens(c.request());
    } else {
      InferenceRequest.Text t = (InferenceRequest.Text) request;
      ourModel = t.request().model();
      path = "completions";
      body = UpstreamRequests.completion(t.request(), runtime.upstreamModel());
      promptEstimate = UpstreamRequests.estimatePromptTokens(t.request());
    }
    UpstreamClient.Opened opened =
        runtime.client().open(endpoint, path, body, "text/event-stream", ourModel, request.cancellation());
    String contentType = opened.headers().firstValue("Content-Type").orElse("");
    if (!mediaType(contentType).equals("text/event-stream")) {
      opened.body().close();
      throw UpstreamErrors.malformed("expected an event stream, got '" + mediaType(contentType) + "'");
    }
    StreamRelay.Result result =
        runtime.relay().relay(opened, chat, ourModel, listener, request.cancellation());
    Usage usage = result.usage();
    if (usage != null) {
      listener.onUsage(usage, false);
    } else {
      listener.onUsage(
          Usage.of(promptEstimate, UpstreamRequests.tokens(result.relayedChars())), true);
    }
  }

  private static String mediaType(@Nullable String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
    return type.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.+/-]", "");
  }

  @Override
  public void close() {
    // Nothing is held per replica: connections belong to the runtime's client.
  }

  @Override
  public String toString() {
    return "RemoteReplica[" + endpoint + "]";
  }
}
