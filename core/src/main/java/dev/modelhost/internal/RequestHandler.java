package dev.modelhost.internal;

import dev.modelhost.Caller;
import dev.modelhost.ResponseStream;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.InvalidTypeException;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.PassThroughCapable;
import dev.modelhost.spi.PassThroughCapable.Endpoint;
import dev.modelhost.spi.UsageSink;
import java.time.Clock;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * The one place every request goes through, whatever its endpoint and whether it streams: check
 * the model name, find the service, validate every field against the service's limits, then admit
 * the request to the service's replica pool (or refuse it) under the service's queue deadline.
 * From admission on, the request's {@link Exchange} (or, relayed, its {@link PassThroughCall})
 * guarantees one usage record.
 */
final class RequestHandler {

  private final Function<String, ManagedService> services;
  private final UsageSink usageSink;
  private final Clock clock;

  /** @param services finds a live service by access path, or throws not-found */
  RequestHandler(Function<String, ManagedService> services, UsageSink usageSink, Clock clock) {
    this.services = services;
    this.usageSink = usageSink;
    this.clock = clock;
  }

  /** Answers with the whole response, blocking the calling thread. */
  <Q, R, C> R call(Protocol<Q, R, C> protocol, Q request, Caller caller) {
    return admit(protocol, request, caller, false).await();
  }

  /** Answers with a stream; refusals (bad request, no capacity) are thrown before it is returned. */
  <Q, R, C> ResponseStream<C> stream(Protocol<Q, R, C> protocol, Q request, Caller caller) {
    return admit(protocol, request, caller, true).stream();
  }

  /**
   * Relays {@code body} to the service named by its {@code model}, whose runtime must support
   * {@code endpoint}, through the service's replica pool; blocks until the answer is complete.
   */
  JsonNode passThrough(Endpoint endpoint, JsonNode body, Caller caller, Cancellation cancellation) {
    if (!body.isObject()) {
      throw new InvalidRequestException("The request body must be a JSON object.", null);
    }
    JsonNode modelNode = body.get("model");
    if (modelNode != null && !modelNode.isNull() && !modelNode.isString()) {
      throw new InvalidTypeException("model", "a string", modelNode.asToken());
    }
    String model = RequestValidator.requireModel(modelNode == null || modelNode.isNull() ? null : modelNode.asString());
    ManagedService service = services.apply(model);
    ReplicaPool pool;
    try {
      pool = service.pool();
    } catch (ModelhostException e) {
      // The service refused it (still loading, failed to load): recorded as a generation would be.
      PassThroughCall.refused(endpoint, body, model, caller, usageSink, clock, e);
      throw e;
    }
    if (!(pool.runtime() instanceof PassThroughCapable runtime) || !runtime.supports(endpoint)) {
      // OpenAI answers a model that exists but cannot serve the endpoint with 404 on the model.
      throw new NotFoundException("The model `" + model + "` does not support /v1/" + endpoint.path() + ".",
          "model", null);
    }
    PassThroughCall call = new PassThroughCall(runtime, endpoint, body, model, caller, cancellation, usageSink, clock);
    try {
      pool.submit(call, call.arrivalNanos() + service.spec().requestTimeout().toNanos());
    } catch (ModelhostException e) {
      call.rejected(e);
      throw e;
    }
    return call.await();
  }

  private <Q, R, C> Exchange<Q, R, C> admit(Protocol<Q, R, C> protocol, Q request, Caller caller, boolean streaming) {
    String model = RequestValidator.requireModel(protocol.model(request));
    ManagedService service = services.apply(model);
    protocol.validate(request, service.spec().maxChoices(), streaming || protocol.streamRequested(request));
    Exchange<Q, R, C> exchange = new Exchange<>(protocol, request, model, caller, streaming, usageSink, clock);
    try {
      service.pool().submit(exchange, exchange.arrivalNanos() + service.spec().requestTimeout().toNanos());
    } catch (ModelhostException e) {
      exchange.rejected(e);
      throw e;
    }
    return exchange;
  }
}
