package dev.modelhost.backend.remote.internal;

import dev.modelhost.api.Json;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ModelDescriptor;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.PassThroughCapable;
import dev.modelhost.spi.Replica;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The endpoints of one remote service: one HTTP client and the endpoints' shared health. Replica
 * {@code i} prefers endpoint {@code i % endpoints}.
 */
public final class RemoteRuntime implements ModelRuntime, PassThroughCapable {

  /** Largest pass-through answer accepted (images come base64-encoded). */
  static final int MAX_PASS_THROUGH_BYTES = 64 * 1024 * 1024;

  private final UpstreamClient client;
  private final StreamRelay relay;
  private final AtomicInteger nextPassThrough = new AtomicInteger();
  private volatile boolean closed;

  private final String upstreamModel;

  private RemoteRuntime(RemoteConfig config, String upstreamModel) {
    this.client = new UpstreamClient(config);
    this.upstreamModel = upstreamModel;
    this.relay = new StreamRelay(client.errors(), config.firstByteTimeout(), config.idleTimeout());
  }

  /**
   * The runtime of the service {@code accessPath} (null when unknown). Without a configured
   * upstream model, the upstream is asked which one to use ({@link UpstreamModels}).
   */
  public static RemoteRuntime open(RemoteConfig config, @Nullable String accessPath) {
    String model = config.upstreamModel();
    if (model == null) {
      model = UpstreamModels.discover(config, accessPath);
      config = config.withUpstreamModel(model);
    }
    return new RemoteRuntime(config, model);
  }

  @Override
  public ModelDescriptor descriptor() {
    return new ModelDescriptor("remote", 0);
  }

  @Override
  public Replica createReplica(int index) {
    checkOpen();
    return new RemoteReplica(this, client.endpoints().forReplica(index));
  }

  UpstreamClient client() {
    return client;
  }

  StreamRelay relay() {
    return relay;
  }

  /** The upstream's model id: the configured or discovered one. */
  String upstreamModel() {
    return upstreamModel;
  }

  @Override
  public boolean supports(Endpoint endpoint) {
    return true;
  }

  @Override
  public JsonNode passThrough(Endpoint endpoint, JsonNode body, Cancellation cancellation) {
    checkOpen();
    if (!(body instanceof ObjectNode object)) {
      throw new InvalidRequestException("The request body must be a JSON object.", null);
    }
    ObjectNode request = object.deepCopy();
    JsonNode modelNode = request.get("model");
    String ourModel = modelNode != null && modelNode.isString() ? modelNode.asString() : null;
    request.put("model", upstreamModel);
    // One JSON answer is relayed, so upstream streaming (partial images) is not asked for.
    request.remove("stream");
    UpstreamClient.Opened opened =
        client.open(
            client.endpoints().forReplica(nextPassThrough.getAndIncrement()),
            endpoint.path(),
            Json.mapper().writeValueAsBytes(request),
            "application/json",
            ourModel,
            cancellation);
    byte[] answer;
    try {
      answer = opened.body().readAll(MAX_PASS_THROUGH_BYTES, client.config().firstByteTimeout());
    } catch (TimeoutException e) {
      throw UpstreamErrors.firstByteTimeout();
    } catch (IOException e) {
      cancellation.throwIfCancelled();
      throw UpstreamErrors.brokenStream(e);
    } catch (StreamingBody.ClosedException e) {
      cancellation.throwIfCancelled();
      throw UpstreamErrors.brokenStream(null);
    } finally {
      opened.body().close();
    }
    JsonNode result;
    try {
      result = Json.mapper().readTree(answer);
    } catch (JacksonException e) {
      throw UpstreamErrors.malformed("the answer is not JSON");
    }
    if (!(result instanceof ObjectNode resultObject)) {
      throw UpstreamErrors.malformed("the answer is not a JSON object");
    }
    if (ourModel != null && resultObject.has("model")) {
      resultObject.put("model", ourModel);
    }
    return resultObject;
  }

  void checkOpen() {
    if (closed) {
      throw new BackendException("The remote model runtime is closed.", null);
    }
  }

  @Override
  public void close() {
    closed = true;
    client.close();
  }

  @Override
  public String toString() {
    return "RemoteRuntime" + client.config().baseUrls();
  }
}
