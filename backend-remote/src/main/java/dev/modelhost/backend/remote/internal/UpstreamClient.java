package dev.modelhost.backend.remote.internal;

import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.exception.OverloadedException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.spi.Cancellation;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends POSTs to the upstream endpoints with failover and retries. Only failures that happen before
 * the answer starts are retried (connection refused or reset, 429, 5xx), so a caller never sees
 * output twice; once a success status arrived the body is the caller's.
 */
final class UpstreamClient implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamClient.class);

  static final Duration BASE_BACKOFF = Duration.ofMillis(100);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
  /** A longer {@code Retry-After} is not waited for: the caller gets a 503 carrying it. */
  static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(10);
  private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
  private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

  /**
   * A response with a success status whose body is still to be read; {@code sentAtNanos} is when
   * its request was sent, from which the first-byte timeout counts.
   */
  record Opened(Endpoint endpoint, HttpHeaders headers, StreamingBody body, long sentAtNanos) {

    /** How long the first body bytes may still take. */
    Duration firstByteBudget(Duration firstByteTimeout) {
      Duration left = firstByteTimeout.minusNanos(System.nanoTime() - sentAtNanos);
      return left.isNegative() ? Duration.ZERO : left;
    }
  }

  private final RemoteConfig config;
  private final Endpoints endpoints;
  private final UpstreamErrors errors;
  private final ExecutorService executor;
  private final HttpClient client;

  UpstreamClient(RemoteConfig config) {
    this.config = config;
    this.endpoints = new Endpoints(config.baseUrls(), config.ejectCooldown());
    this.errors = new UpstreamErrors(config.apiKey(), config.baseUrls(), config.upstreamModel());
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "modelhost-remote-http-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .connectTimeout(config.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(executor)
            .build();
  }

  Endpoints endpoints() {
    return endpoints;
  }

  UpstreamErrors errors() {
    return errors;
  }

  RemoteConfig config() {
    return config;
  }

  /**
   * POSTs {@code body} to {@code path} below an endpoint's base URL, starting with
   * {@code preferred} and failing over to healthy ones, until a success status arrives.
   *
   * @param ourModel the service's name, put in place of the upstream model id in error messages
   */
  Opened open(
      Endpoint preferred, String path, byte[] body, String accept, @Nullable String ourModel,
      Cancellation cancellation) {
    Endpoint endpoint = endpoints.choose(preferred);
    for (int attempt = 0; ; attempt++) {
      cancellation.throwIfCancelled();
      Duration retryAfter = null;
      boolean rateLimited = false;
      ModelhostException failure;
      try {
        Sent sent = send(endpoint, path, body, accept, cancellation);
        int status = sent.status;
        if (status >= 200 && status < 300) {
          if (endpoint.recordSuccess()) {
            LOG.info("Upstream endpoint {} is healthy again", endpoint);
          }
          return new Opened(endpoint, sent.headers, sent.body, sent.sentAtNanos);
        }
        byte[] errorBody = readErrorBody(sent.body);
        if (status == 429) {
          rateLimited = true;
          retryAfter = retryAfter(sent.headers);
          failure =
              new OverloadedException(
                  "The upstream server is rate limiting this service; retry later.", retryAfter);
        } else if (status >= 500) {
          eject(endpoint, "HTTP " + status);
          if (sent.headers.firstValue("Retry-After").isPresent()) {
            retryAfter = retryAfter(sent.headers);
          }
          failure = UpstreamErrors.serverError(status);
        } else if (status >= 400) {
          endpoint.recordSuccess();
          throw errors.clientError(status, errorBody, ourModel);
        } else {
          throw UpstreamErrors.unexpectedStatus(status);
        }
      } catch (Unreachable e) {
        eject(endpoint, e.getCause() == null ? "connection failed" : e.getCause().toString());
        failure = UpstreamErrors.unreachable(e.getCause());
      } catch (FirstByteTimeout e) {
        // Not retried: the upstream may still be working on it, a second try would double the load.
        eject(endpoint, "no answer within " + config.firstByteTimeout());
        throw UpstreamErrors.firstByteTimeout();
      }
      if (attempt >= config.maxRetries()) {
        throw failure;
      }
      Endpoint next = endpoints.choose(preferred);
      // Another endpoint is tried at once; the same one after its Retry-After or a back-off. A
      // rate limit is waited out in any case: it usually applies to the key, on every endpoint.
      Duration delay =
          next != endpoint && !rateLimited
              ? Duration.ZERO
              : retryAfter != null ? retryAfter : backoff(attempt);
      if (delay.compareTo(MAX_RETRY_AFTER) > 0) {
        throw failure;
      }
      LOG.debug("Retrying upstream request in {} after: {}", delay, failure.getMessage());
      sleep(delay, cancellation);
      endpoint = next;
    }
  }

  private record Sent(int status, HttpHeaders headers, StreamingBody body, long sentAtNanos) {}

  /** The connection failed before a response arrived. */
  private static final class Unreachable extends Exception {
    Unreachable(Throwable cause) {
      super(cause);
    }
  }

  /** No response headers within the first-byte timeout. */
  private static final class FirstByteTimeout extends Exception {
    FirstByteTimeout() {
      super("first byte timeout");
    }
  }

  private Sent send(Endpoint endpoint, String path, byte[] body, String accept, Cancellation cancellation)
      throws Unreachable, FirstByteTimeout {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(endpoint.resolve(path))
            .version(config.httpVersionFor(endpoint.baseUrl()))
            .timeout(config.firstByteTimeout())
            .header("Content-Type", "application/json")
            .header("Accept", accept)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (config.apiKey() != null) {
      request.header("Authorization", "Bearer " + config.apiKey());
    }
    long sentAtNanos = System.nanoTime();
    CompletableFuture<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> future =
        client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofPublisher());
    cancellation.onCancel(() -> future.cancel(true));
    HttpResponse<Flow.Publisher<List<ByteBuffer>>> response;
    try {
      // The request's own timeout fires first; this bound only guards against a lost completion.
      response = future.get(config.firstByteTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (CancellationException e) {
      cancellation.throwIfCancelled();
      throw new Unreachable(e);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new RequestCancelledException("The request was interrupted.");
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new FirstByteTimeout();
    } catch (ExecutionException e) {
      cancellation.throwIfCancelled();
      Throwable cause = e.getCause();
      if (cause instanceof HttpConnectTimeoutException) {
        throw new Unreachable(cause);
      }
      if (cause instanceof HttpTimeoutException) {
        throw new FirstByteTimeout();
      }
      if (cause instanceof IOException) {
        // Refused, reset or closed before any response: nothing of the answer exists yet.
        throw new Unreachable(cause);
      }
      throw new BackendException("The upstream request failed.", 502, "bad_gateway", false, cause);
    }
    StreamingBody streamingBody = new StreamingBody();
    response.body().subscribe(streamingBody);
    cancellation.onCancel(streamingBody::close);
    return new Sent(response.statusCode(), response.headers(), streamingBody, sentAtNanos);
  }

  private byte[] readErrorBody(StreamingBody body) {
    try {
      return body.readAll(MAX_ERROR_BODY_BYTES, config.idleTimeout());
    } catch (IOException | TimeoutException | StreamingBody.ClosedException e) {
      body.close();
      return new byte[0];
    }
  }

  private static void eject(Endpoint endpoint, String reason) {
    boolean wasEjected = endpoint.isEjected();
    Duration cooldown = endpoint.recordFailure(System.nanoTime());
    if (wasEjected) {
      LOG.debug("Upstream endpoint {} still failing, ejected for {}: {}", endpoint, cooldown, reason);
    } else {
      LOG.warn("Upstream endpoint {} ejected for {} after: {}", endpoint, cooldown, reason);
    }
  }

  /** Exponential back-off with jitter: 50-100% of 100 ms, 200 ms, ... up to 2 s. */
  static Duration backoff(int attempt) {
    long max = Math.min(MAX_BACKOFF.toMillis(), BASE_BACKOFF.toMillis() << Math.min(attempt, 16));
    return Duration.ofMillis(max / 2 + ThreadLocalRandom.current().nextLong(max / 2 + 1));
  }

  /** {@code Retry-After} as seconds or an HTTP date; 1 s when absent or unreadable. */
  static Duration retryAfter(HttpHeaders headers) {
    String value = headers.firstValue("Retry-After").orElse(null);
    if (value == null) {
      return DEFAULT_RETRY_AFTER;
    }
    String text = value.trim();
    try {
      if (text.matches("\\d{1,9}")) {
        return Duration.ofSeconds(Long.parseLong(text));
      }
      Duration until =
          Duration.between(
              ZonedDateTime.now(), ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME));
      return until.isNegative() ? Duration.ZERO : until;
    } catch (DateTimeParseException e) {
      return DEFAULT_RETRY_AFTER;
    }
  }

  /** Waits, waking up at once when the request is cancelled. */
  static void sleep(Duration delay, Cancellation cancellation) {
    if (delay.isZero()) {
      return;
    }
    CountDownLatch cancelled = new CountDownLatch(1);
    cancellation.onCancel(cancelled::countDown);
    try {
      cancelled.await(delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RequestCancelledException("The request was interrupted.");
    }
    cancellation.throwIfCancelled();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
