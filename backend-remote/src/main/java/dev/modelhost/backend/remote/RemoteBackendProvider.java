package dev.modelhost.backend.remote;

import dev.modelhost.backend.remote.internal.RemoteConfig;
import dev.modelhost.backend.remote.internal.RemoteRuntime;
import dev.modelhost.spi.BackendProvider;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.ModelSource;
import java.util.Set;

/**
 * The {@code remote} backend: a service whose replicas are OpenAI-compatible upstream servers
 * (vLLM, llama.cpp server, Ollama, another Modelhost, OpenAI itself).
 *
 * <p>{@link ModelSource#location()} is one or more base URLs separated by commas, each like
 * {@code http://127.0.0.1:9000/v1} (http or https, no user information, query or fragment);
 * replica {@code i} prefers URL {@code i % count} and runs {@link #CAPACITY} requests at once. The
 * options are the constants of this class. Upstream URLs come only from this configuration, never
 * from a request, and redirects are not followed.
 *
 * <p>Behaviour:
 *
 * <ul>
 *   <li>Every request is sent upstream as a stream ({@code stream: true}, {@code
 *       stream_options.include_usage: true}) whatever the caller asked: a replica reports output
 *       incrementally anyway, one code path serves both kinds of caller, and the idle timeout can
 *       tell a slow upstream from a dead one. The request is the caller's validated request
 *       re-serialized with {@code model} replaced (unknown fields were dropped by core).
 *   <li>Upstream ids and model names are dropped; core writes the service's own.
 *   <li>An endpoint that refuses connections, answers 5xx or times out is ejected for {@link
 *       #EJECT_COOLDOWN} (doubling while it keeps failing), then one request probes it. Requests
 *       of its replica go to the other endpoints meanwhile.
 *   <li>Connection failures, 429 and 5xx are retried ({@link #MAX_RETRIES}) with jittered
 *       exponential back-off, or after {@code Retry-After} up to 10 s, but only before any of the
 *       answer was relayed. Timeouts are not retried.
 *   <li>Upstream usage is reported as is; when the upstream sends none, it is estimated as
 *       characters / 4 of the prompt and of the relayed text and marked estimated.
 *   <li>Errors: upstream 400, 409, 413, 422 and other client errors keep their status and error
 *       fields, with the key, URLs and host names removed and the upstream model id replaced by the
 *       service's name ({@link dev.modelhost.exception.UpstreamException}); 401, 403 and 404 mean
 *       this service is misconfigured and become 502; 429 that cannot be waited out becomes 503
 *       with {@code Retry-After}; 5xx, broken connections and malformed streams become 502;
 *       timeouts 504.
 *   <li>The runtime also relays {@code /v1/embeddings} and {@code /v1/images/generations} ({@link
 *       dev.modelhost.spi.PassThroughCapable}).
 * </ul>
 */
public final class RemoteBackendProvider implements BackendProvider {

  /** The backend's name. */
  public static final String NAME = "remote";

  /** The upstream key, sent as {@code Authorization: Bearer}; never logged or shown. */
  public static final String API_KEY = "api-key";

  /**
   * The model id upstream. When unset, the upstream is asked at load time ({@code GET <base>/models},
   * the first endpoint that answers): the only model it lists, or, when it lists several, the one
   * called like the service ({@code owner/name}); otherwise the load fails naming the models offered.
   */
  public static final String UPSTREAM_MODEL = "upstream-model";

  /** Time to open a connection (ISO-8601 or milliseconds); default 5 s. */
  public static final String CONNECT_TIMEOUT = "connect-timeout";

  /** Time from sending a request to the first bytes of its answer; default 60 s. */
  public static final String FIRST_BYTE_TIMEOUT = "first-byte-timeout";

  /** Time allowed between two chunks of a streamed answer; default 30 s. */
  public static final String IDLE_TIMEOUT = "idle-timeout";

  /** Extra attempts, failover included, before the answer starts; default 2, at most 10. */
  public static final String MAX_RETRIES = "max-retries";

  /** Requests one replica (endpoint) runs at once; default 16. */
  public static final String CAPACITY = "capacity";

  /** How long a failed endpoint is left alone before it is probed again; default 10 s, doubling. */
  public static final String EJECT_COOLDOWN = "eject-cooldown";

  /**
   * {@code auto} (default: HTTP/2 where TLS negotiates it, HTTP/1.1 on plain http), {@code 1.1}, or
   * {@code 2} (also tries an HTTP/2 upgrade on plain http).
   */
  public static final String HTTP_VERSION = "http-version";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<String> optionNames() {
    return RemoteConfig.OPTIONS;
  }

  /** Loads without a service name: an unset {@link #UPSTREAM_MODEL} needs an upstream with one model. */
  @Override
  public ModelRuntime load(ModelSource source) {
    return RemoteRuntime.open(RemoteConfig.from(source), null);
  }

  @Override
  public ModelRuntime load(ModelSource source, String accessPath) {
    return RemoteRuntime.open(RemoteConfig.from(source), accessPath);
  }
}
