package dev.modelhost.backend.remote.internal;

import dev.modelhost.backend.remote.RemoteBackendProvider;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.spi.ModelSource;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The remote backend's settings, read once from a {@link ModelSource}. {@link #toString()} never
 * shows the upstream key.
 *
 * @param httpVersion the version asked for; null for the default: HTTP/2 where TLS negotiates it
 *     (https), HTTP/1.1 on plain http, where an HTTP/2 upgrade attempt only costs time with the
 *     usual model servers
 */
public record RemoteConfig(
    List<URI> baseUrls,
    @Nullable String apiKey,
    @Nullable String upstreamModel,
    Duration connectTimeout,
    Duration firstByteTimeout,
    Duration idleTimeout,
    int maxRetries,
    int capacity,
    Duration ejectCooldown,
    HttpClient.@Nullable Version httpVersion) {


  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_FIRST_BYTE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_RETRIES = 2;
  public static final int DEFAULT_CAPACITY = 16;
  public static final Duration DEFAULT_EJECT_COOLDOWN = Duration.ofSeconds(10);

  /** Every option the remote backend reads. */
  public static final Set<String> OPTIONS =
      Set.of(
          RemoteBackendProvider.API_KEY,
          RemoteBackendProvider.UPSTREAM_MODEL,
          RemoteBackendProvider.CONNECT_TIMEOUT,
          RemoteBackendProvider.FIRST_BYTE_TIMEOUT,
          RemoteBackendProvider.IDLE_TIMEOUT,
          RemoteBackendProvider.MAX_RETRIES,
          RemoteBackendProvider.CAPACITY,
          RemoteBackendProvider.EJECT_COOLDOWN,
          RemoteBackendProvider.HTTP_VERSION);

  public RemoteConfig {
    baseUrls = List.copyOf(baseUrls);
  }

  /** Reads and validates the settings; every problem is a {@link ModelLoadException}. */
  public static RemoteConfig from(ModelSource source) {
    String apiKey = blankToNull(source.option(RemoteBackendProvider.API_KEY));
    if (apiKey != null && apiKey.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      // Never echo the value: it is a secret.
      throw new ModelLoadException("Option 'api-key' must be printable ASCII without spaces.");
    }
    return new RemoteConfig(
        parseUrls(source.location()),
        apiKey,
        blankToNull(source.option(RemoteBackendProvider.UPSTREAM_MODEL)),
        duration(source, RemoteBackendProvider.CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT),
        duration(source, RemoteBackendProvider.FIRST_BYTE_TIMEOUT, DEFAULT_FIRST_BYTE_TIMEOUT),
        duration(source, RemoteBackendProvider.IDLE_TIMEOUT, DEFAULT_IDLE_TIMEOUT),
        integer(source, RemoteBackendProvider.MAX_RETRIES, DEFAULT_MAX_RETRIES, 0, 10),
        integer(source, RemoteBackendProvider.CAPACITY, DEFAULT_CAPACITY, 1, 4096),
        duration(source, RemoteBackendProvider.EJECT_COOLDOWN, DEFAULT_EJECT_COOLDOWN),
        httpVersion(source.option(RemoteBackendProvider.HTTP_VERSION)));
  }

  /** A copy that sends {@code model} upstream. */
  public RemoteConfig withUpstreamModel(String model) {
    return new RemoteConfig(baseUrls, apiKey, model, connectTimeout, firstByteTimeout, idleTimeout, maxRetries,
        capacity, ejectCooldown, httpVersion);
  }

  /** Comma-separated {@code http(s)://host[:port][/path]} base URLs, trailing slash removed. */
  static List<URI> parseUrls(String location) {
    Set<URI> urls = new LinkedHashSet<>();
    for (String part : location.split(",", -1)) {
      String text = part.trim();
      URI uri = parseUrl(text);
      if (!urls.add(uri)) {
        throw new ModelLoadException("Upstream URL '" + uri + "' is listed twice.");
      }
    }
    return new ArrayList<>(urls);
  }

  private static URI parseUrl(String text) {
    if (text.isEmpty()) {
      throw new ModelLoadException(
          "The remote backend needs one or more upstream base URLs separated by commas, e.g."
              + " 'http://127.0.0.1:9000/v1'.");
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new ModelLoadException("Invalid upstream URL '" + text + "': " + e.getReason() + ".");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new ModelLoadException("Upstream URL '" + text + "' must start with http:// or https://.");
    }
    if (uri.getRawUserInfo() != null) {
      // Credentials belong in the api-key option, where they are kept out of logs and errors.
      throw new ModelLoadException(
          "Upstream URLs must not contain user information; put the key in the 'api-key' option.");
    }
    if (uri.getHost() == null) {
      throw new ModelLoadException("Upstream URL '" + text + "' has no host.");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new ModelLoadException("Upstream URL '" + text + "' must not have a query or fragment.");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return URI.create(scheme + "://" + uri.getRawAuthority() + path);
  }

  /** ISO-8601 ({@code PT30S}) or whole milliseconds ({@code 30000}); positive. */
  static Duration parseDuration(String key, String value) {
    String text = value.trim();
    Duration duration;
    try {
      duration =
          text.chars().allMatch(Character::isDigit) && !text.isEmpty()
              ? Duration.ofMillis(Long.parseLong(text))
              : Duration.parse(text);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new ModelLoadException(
          "Option '" + key + "' must be an ISO-8601 duration (e.g. PT30S) or milliseconds, got '"
              + value + "'.");
    }
    if (duration.isZero() || duration.isNegative()) {
      throw new ModelLoadException("Option '" + key + "' must be positive, got '" + value + "'.");
    }
    return duration;
  }

  private static Duration duration(ModelSource source, String key, Duration defaultValue) {
    String value = source.option(key);
    return value == null ? defaultValue : parseDuration(key, value);
  }

  private static int integer(ModelSource source, String key, int defaultValue, int min, int max) {
    String value = source.option(key);
    if (value == null) {
      return defaultValue;
    }
    int parsed;
    try {
      parsed = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new ModelLoadException("Option '" + key + "' must be an integer, got '" + value + "'.");
    }
    if (parsed < min || parsed > max) {
      throw new ModelLoadException(
          "Option '" + key + "' must be between " + min + " and " + max + ", got " + parsed + ".");
    }
    return parsed;
  }

  private static HttpClient.@Nullable Version httpVersion(@Nullable String value) {
    if (value == null) {
      return null;
    }
    return switch (value.trim()) {
      case "auto" -> null;
      case "2" -> HttpClient.Version.HTTP_2;
      case "1.1" -> HttpClient.Version.HTTP_1_1;
      default -> throw new ModelLoadException(
          "Option 'http-version' must be 'auto', '1.1' or '2', got '" + value + "'.");
    };
  }

  /** The version for requests to {@code url}. */
  public HttpClient.Version httpVersionFor(URI url) {
    if (httpVersion != null) {
      return httpVersion;
    }
    return url.getScheme().equals("https") ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1;
  }

  private static @Nullable String blankToNull(@Nullable String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  @Override
  public String toString() {
    return "RemoteConfig[baseUrls=" + baseUrls
        + ", apiKey=" + (apiKey == null ? "none" : "***")
        + ", upstreamModel=" + upstreamModel
        + ", connectTimeout=" + connectTimeout
        + ", firstByteTimeout=" + firstByteTimeout
        + ", idleTimeout=" + idleTimeout
        + ", maxRetries=" + maxRetries
        + ", capacity=" + capacity
        + ", ejectCooldown=" + ejectCooldown
        + ", httpVersion=" + (httpVersion == null ? "auto" : httpVersion) + "]";
  }
}
