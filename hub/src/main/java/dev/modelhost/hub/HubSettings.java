package dev.modelhost.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where and how {@link HubModelFetcher} downloads models. {@link #fromEnvironment()} reads the
 * variables that Hugging Face's own tools read, so a cache filled by them is found here and the
 * other way round.
 *
 * @param endpoint the hub's base URL ({@code HF_ENDPOINT}, default {@value #DEFAULT_ENDPOINT})
 * @param token sent as a Bearer token to the hub, never to a redirect target on another host
 *     ({@code HF_TOKEN}, else the token file {@code HF_TOKEN_PATH} or {@code $HF_HOME/token})
 * @param cacheDir the hub cache ({@code HF_HUB_CACHE}, else {@code $HF_HOME/hub}, default
 *     {@code ~/.cache/huggingface/hub})
 * @param offline use the cache only ({@code HF_HUB_OFFLINE=1})
 * @param parallelDownloads files downloaded at once
 * @param maxAttempts tries per HTTP exchange on connection errors, 429 and 5xx
 * @param retryBackoff wait before the second try, doubled after each; a {@code Retry-After} wins
 * @param connectTimeout time to connect, and to receive response headers
 * @param idleTimeout longest wait for the next bytes of a file before the transfer is resumed
 *     ({@code HF_HUB_DOWNLOAD_TIMEOUT} seconds)
 */
public record HubSettings(
    URI endpoint,
    @Nullable String token,
    Path cacheDir,
    boolean offline,
    int parallelDownloads,
    int maxAttempts,
    Duration retryBackoff,
    Duration connectTimeout,
    Duration idleTimeout) {

  public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
  public static final int DEFAULT_PARALLEL_DOWNLOADS = 4;
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(1);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);

  private static final Set<String> TRUE_VALUES = Set.of("1", "on", "yes", "true");

  public HubSettings {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(cacheDir, "cacheDir");
    if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme())) {
      throw new IllegalArgumentException("The hub endpoint must be an http(s) URL, got '" + endpoint + "'.");
    }
    if (token != null && token.isBlank()) {
      token = null;
    }
    if (parallelDownloads < 1 || maxAttempts < 1) {
      throw new IllegalArgumentException("parallelDownloads and maxAttempts must be at least 1");
    }
    if (retryBackoff.isNegative() || connectTimeout.isNegative() || connectTimeout.isZero()
        || idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive and the back-off not negative");
    }
  }

  /** Settings from this process's environment and home directory. */
  public static HubSettings fromEnvironment() {
    return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /** Settings from the given environment variables, with {@code home} as the user's home directory. */
  public static HubSettings fromEnvironment(Map<String, String> env, Path home) {
    Path hfHome = path(env, "HF_HOME", xdgCache(env, home).resolve("huggingface"));
    Path cache = path(env, "HF_HUB_CACHE", path(env, "HUGGINGFACE_HUB_CACHE", hfHome.resolve("hub")));
    Builder builder = builder(cache)
        .endpoint(URI.create(stripTrailingSlash(env.getOrDefault("HF_ENDPOINT", DEFAULT_ENDPOINT))))
        .offline(TRUE_VALUES.contains(env.getOrDefault("HF_HUB_OFFLINE", "").trim().toLowerCase(Locale.ROOT)))
        .token(token(env, hfHome));
    String timeout = env.get("HF_HUB_DOWNLOAD_TIMEOUT");
    if (timeout != null && !timeout.isBlank()) {
      try {
        builder.idleTimeout(Duration.ofMillis((long) (Double.parseDouble(timeout.trim()) * 1000)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("HF_HUB_DOWNLOAD_TIMEOUT must be a number of seconds, got '"
            + timeout + "'.", e);
      }
    }
    return builder.build();
  }

  public static Builder builder(Path cacheDir) {
    return new Builder(cacheDir);
  }

  public Builder toBuilder() {
    return new Builder(cacheDir).endpoint(endpoint).token(token).offline(offline)
        .parallelDownloads(parallelDownloads).maxAttempts(maxAttempts).retryBackoff(retryBackoff)
        .connectTimeout(connectTimeout).idleTimeout(idleTimeout);
  }

  @Override
  public String toString() {
    // The token is a secret: never print it.
    return "HubSettings[endpoint=" + endpoint + ", token=" + (token == null ? "none" : "set") + ", cacheDir="
        + cacheDir + ", offline=" + offline + "]";
  }

  private static @Nullable String token(Map<String, String> env, Path hfHome) {
    String token = env.get("HF_TOKEN");
    if (token == null || token.isBlank()) {
      token = env.get("HUGGING_FACE_HUB_TOKEN");
    }
    if (token != null && !token.isBlank()) {
      return token.trim();
    }
    Path file = path(env, "HF_TOKEN_PATH", hfHome.resolve("token"));
    try {
      return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8).trim() : null;
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read the hub token file '" + file + "': " + e.getMessage(), e);
    }
  }

  private static Path xdgCache(Map<String, String> env, Path home) {
    return path(env, "XDG_CACHE_HOME", home.resolve(".cache"));
  }

  private static Path path(Map<String, String> env, String name, Path otherwise) {
    String value = env.get(name);
    return value == null || value.isBlank() ? otherwise : Path.of(value.trim());
  }

  private static String stripTrailingSlash(String url) {
    String trimmed = url.trim();
    return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
  }

  /** Builds {@link HubSettings}; every setting but the cache folder has a default. */
  public static final class Builder {
    private final Path cacheDir;
    private URI endpoint = URI.create(DEFAULT_ENDPOINT);
    private @Nullable String token;
    private boolean offline;
    private int parallelDownloads = DEFAULT_PARALLEL_DOWNLOADS;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;

    private Builder(Path cacheDir) {
      this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
    }

    public Builder endpoint(URI endpoint) { this.endpoint = endpoint; return this; }

    public Builder token(@Nullable String token) { this.token = token; return this; }

    public Builder offline(boolean offline) { this.offline = offline; return this; }

    public Builder parallelDownloads(int parallelDownloads) { this.parallelDownloads = parallelDownloads; return this; }

    public Builder maxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; return this; }

    public Builder retryBackoff(Duration retryBackoff) { this.retryBackoff = retryBackoff; return this; }

    public Builder connectTimeout(Duration connectTimeout) { this.connectTimeout = connectTimeout; return this; }

    public Builder idleTimeout(Duration idleTimeout) { this.idleTimeout = idleTimeout; return this; }

    public HubSettings build() {
      return new HubSettings(endpoint, token, cacheDir, offline, parallelDownloads, maxAttempts, retryBackoff,
          connectTimeout, idleTimeout);
    }
  }
}
