package dev.modelhost.internal;

import dev.modelhost.Caller;
import dev.modelhost.ResponseStream;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.spi.UsageSink;
import java.time.Clock;
import java.util.function.Function;

/**
 * The one place every request goes through, whatever its endpoint and whether it streams: check
 * the model name, find the service, validate every field against the service's limits, then admit
 * the request to the service's replica pool (or refuse it) under the service's queue deadline.
 * From admission on, the request's {@link Exchange} guarantees one usage record.
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
