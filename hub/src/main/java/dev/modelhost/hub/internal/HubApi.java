package dev.modelhost.hub.internal;

import dev.modelhost.api.Json;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.hub.HubSettings;
import dev.modelhost.spi.Cancellation;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The two calls of the hub protocol that {@code snapshot_download} makes: the revision's commit and
 * file list, and each file's metadata and content. Redirects are followed here, not by the client,
 * so that the token goes only to the hub's own host. Connection errors, 429 and 5xx are retried
 * with a doubling back-off or the server's {@code Retry-After}.
 */
final class HubApi {

  private static final Logger log = LoggerFactory.getLogger(HubApi.class);
  private static final int MAX_REDIRECTS = 5;
  private static final Duration MAX_RETRY_WAIT = Duration.ofMinutes(1);

  /** A revision resolved: its commit and every file path in it. */
  record Revision(String commit, List<String> files) {}

  /**
   * What the hub says of one file before it is downloaded.
   *
   * @param etag the content's identity: sha256 for LFS files, the git blob id for the rest
   * @param size bytes, or -1 when the hub did not say
   * @param location where the content is fetched from (a CDN for large files)
   */
  record FileMetadata(String etag, long size, URI location) {}

  private final HubSettings settings;
  private final HttpClient client;

  HubApi(HubSettings settings, HttpClient client) {
    this.settings = settings;
    this.client = client;
  }

  static HttpClient newClient(HubSettings settings) {
    return HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(settings.connectTimeout())
        .build();
  }

  /** {@code GET /api/models/{repo}/revision/{revision}}. */
  Revision revision(HubModelId id, Cancellation cancellation) throws IOException {
    URI uri = URI.create(settings.endpoint() + "/api/models/" + id.repo() + "/revision/" + encode(id.revision()));
    HttpResponse<byte[]> response = send(uri, "GET", null, HttpResponse.BodyHandlers.ofByteArray(), cancellation,
        id + " (revision " + id.revision() + ")");
    if (response.statusCode() != 200) {
      throw refused(id, response.statusCode(), response.headers(), id.toString());
    }
    try {
      JsonNode body = Json.mapper().readTree(response.body());
      String commit = body.path("sha").asString("");
      List<String> files = new ArrayList<>();
      for (JsonNode sibling : body.path("siblings")) {
        String name = sibling.path("rfilename").asString("");
        if (!name.isEmpty()) {
          files.add(name);
        }
      }
      if (!commit.matches("[0-9a-f]{40}")) {
        throw new ModelLoadException("The hub's answer for " + id + " has no commit hash ('sha').");
      }
      return new Revision(commit, List.copyOf(files));
    } catch (JacksonException e) {
      throw new ModelLoadException("The hub's answer for " + id + " is not the expected JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  /** {@code HEAD /{repo}/resolve/{commit}/{path}}: ETag, size and where the content is. */
  FileMetadata metadata(HubModelId id, String commit, String path, Cancellation cancellation) throws IOException {
    URI uri = URI.create(settings.endpoint() + "/" + id.repo() + "/resolve/" + commit + "/" + encodePath(path));
    for (int hop = 0; ; hop++) {
      HttpResponse<Void> response = send(uri, "HEAD", null, HttpResponse.BodyHandlers.discarding(), cancellation,
          id + " file " + path);
      HttpHeaders headers = response.headers();
      int status = response.statusCode();
      String location = headers.firstValue("Location").orElse(null);
      boolean redirect = status >= 300 && status < 400 && location != null;
      if (redirect && isRelative(location) && hop < MAX_REDIRECTS) {
        // A renamed repository answers with a redirect on the hub itself.
        uri = uri.resolve(location);
        continue;
      }
      if (status != 200 && !redirect) {
        throw refused(id, status, headers, id + " file '" + path + "'");
      }
      String etag = headers.firstValue("X-Linked-Etag").or(() -> headers.firstValue("ETag"))
          .map(HubApi::normalizeEtag).orElseThrow(() -> new ModelLoadException(
              "The hub gave no ETag for " + id + " file '" + path + "'; it cannot be cached."));
      long size = headers.firstValue("X-Linked-Size").map(Long::parseLong)
          .orElse(redirect ? -1 : headers.firstValueAsLong("Content-Length").orElse(-1));
      return new FileMetadata(etag, size, redirect ? uri.resolve(location) : uri);
    }
  }

  /**
   * Opens the content of a file from byte {@code offset}, following redirects; the token goes
   * along only while the host stays the hub's.
   *
   * @return the body, and whether the server honoured the range (206) or sends the whole file (200)
   */
  Content open(URI location, long offset, Cancellation cancellation, String what) throws IOException {
    URI uri = location;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpResponse<InputStream> response = send(uri, "GET", offset > 0 ? "bytes=" + offset + "-" : null,
          HttpResponse.BodyHandlers.ofInputStream(), cancellation, what);
      int status = response.statusCode();
      String next = response.headers().firstValue("Location").orElse(null);
      if (status >= 300 && status < 400 && next != null) {
        response.body().close();
        uri = uri.resolve(next);
        continue;
      }
      if (status == 200 || status == 206) {
        return new Content(response.body(), status == 206,
            status == 206 ? rangeStart(response.headers()) : OptionalLong.of(0));
      }
      response.body().close();
      if (status == 416) {
        return new Content(InputStream.nullInputStream(), true, OptionalLong.of(offset));
      }
      throw new ModelLoadException("Downloading " + what + " failed: the server answered " + status + ".");
    }
    throw new ModelLoadException("Downloading " + what + " failed: more than " + MAX_REDIRECTS + " redirects.");
  }

  /** A file's body from some byte on. */
  record Content(InputStream body, boolean partial, OptionalLong start) {}

  private <T> HttpResponse<T> send(URI uri, String method, @Nullable String range,
      HttpResponse.BodyHandler<T> handler, Cancellation cancellation, String what) throws IOException {
    Duration wait = settings.retryBackoff();
    for (int attempt = 1; ; attempt++) {
      checkCancelled(cancellation);
      HttpRequest.Builder request = HttpRequest.newBuilder(uri)
          .method(method, HttpRequest.BodyPublishers.noBody())
          .timeout(settings.connectTimeout().plus(settings.idleTimeout()))
          .header("User-Agent", "modelhost-hub");
      if (settings.token() != null && sameHost(uri, settings.endpoint())) {
        request.header("Authorization", "Bearer " + settings.token());
      }
      if (range != null) {
        request.header("Range", range);
      }
      Duration retryAfter;
      String problem;
      try {
        HttpResponse<T> response = client.send(request.build(), handler);
        int status = response.statusCode();
        if (status != 429 && status < 500) {
          return response;
        }
        closeBody(response);
        retryAfter = retryAfter(response.headers());
        problem = "answered " + status;
        if (attempt >= settings.maxAttempts()) {
          throw new ModelLoadException("The hub at " + uri.getHost() + " " + problem + " for " + what
              + " after " + attempt + " attempts. Try again later.");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RequestCancelledException("Interrupted while fetching " + what + ".");
      } catch (IOException e) {
        checkCancelled(cancellation);
        if (attempt >= settings.maxAttempts()) {
          throw e;
        }
        retryAfter = null;
        problem = "failed (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
      }
      Duration delay = retryAfter != null ? retryAfter : jitter(wait);
      log.info("The hub {} for {}; retrying in {} ms (attempt {} of {}).", problem, what, delay.toMillis(),
          attempt + 1, settings.maxAttempts());
      sleep(delay, cancellation);
      wait = wait.multipliedBy(2);
    }
  }

  /** The error a user understands for a refusal of the hub. */
  private ModelLoadException refused(HubModelId id, int status, HttpHeaders headers, String what) {
    String code = headers.firstValue("X-Error-Code").orElse("");
    String hubMessage = headers.firstValue("X-Error-Message").map(m -> " The hub says: " + m).orElse("");
    if ("GatedRepo".equals(code)) {
      return new ModelLoadException(id + " is gated: accept its conditions on the hub with the account whose token"
          + " is in HF_TOKEN" + (settings.token() == null ? " (no token is set)" : "") + "." + hubMessage);
    }
    if (status == 401 || status == 403) {
      return new ModelLoadException(settings.token() == null
          ? what + " needs a token (the hub answered " + status + "): it is private or gated, or does not exist."
              + " Set HF_TOKEN to a token that may read it." + hubMessage
          : "The hub refused the token in HF_TOKEN for " + what + " (" + status + "): check that it may read "
              + id.repo() + "." + hubMessage);
    }
    if (status == 404) {
      String missing = switch (code) {
        case "RevisionNotFound" -> "Revision '" + id.revision() + "' of " + id.repo() + " was not found";
        case "EntryNotFound" -> what + " was not found";
        default -> what + " was not found on " + settings.endpoint();
      };
      return new ModelLoadException(missing + "." + hubMessage);
    }
    return new ModelLoadException("The hub answered " + status + " for " + what + "." + hubMessage);
  }

  private static @Nullable Duration retryAfter(HttpHeaders headers) {
    String value = headers.firstValue("Retry-After").orElse(null);
    if (value == null) {
      return null;
    }
    try {
      long seconds = Long.parseLong(value.trim());
      return clamp(Duration.ofSeconds(Math.max(0, seconds)));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration until = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return clamp(until.isNegative() ? Duration.ZERO : until);
      } catch (DateTimeParseException ignored) {
        return null;
      }
    }
  }

  private static Duration clamp(Duration wait) {
    return wait.compareTo(MAX_RETRY_WAIT) > 0 ? MAX_RETRY_WAIT : wait;
  }

  private static Duration jitter(Duration wait) {
    long millis = wait.toMillis();
    return Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
  }

  private static void sleep(Duration delay, Cancellation cancellation) {
    long end = System.nanoTime() + delay.toNanos();
    try {
      for (long left = delay.toNanos(); left > 0; left = end - System.nanoTime()) {
        checkCancelled(cancellation);
        Thread.sleep(Math.min(100, Math.max(1, left / 1_000_000)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RequestCancelledException("Interrupted while waiting to retry a download.");
    }
  }

  static void checkCancelled(Cancellation cancellation) {
    if (cancellation.isCancelled()) {
      throw new RequestCancelledException("The model download was cancelled.");
    }
  }

  private static void closeBody(HttpResponse<?> response) throws IOException {
    if (response.body() instanceof InputStream body) {
      body.close();
    }
  }

  private static OptionalLong rangeStart(HttpHeaders headers) {
    // Content-Range: bytes START-END/TOTAL
    String range = headers.firstValue("Content-Range").orElse("");
    int space = range.indexOf(' ');
    int dash = range.indexOf('-');
    if (space < 0 || dash < space) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(range.substring(space + 1, dash).trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  static String normalizeEtag(String etag) {
    String value = etag.trim();
    if (value.startsWith("W/")) {
      value = value.substring(2);
    }
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      value = value.substring(1, value.length() - 1);
    }
    if (value.isEmpty() || !value.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
      throw new ModelLoadException("The hub gave an ETag that cannot name a cache file: '" + etag + "'.");
    }
    return value;
  }

  private static boolean sameHost(URI a, URI b) {
    return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
        && a.getPort() == b.getPort();
  }

  private static boolean isRelative(String location) {
    return location.startsWith("/") && !location.startsWith("//");
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String encodePath(String path) {
    List<String> parts = new ArrayList<>();
    for (String part : path.split("/", -1)) {
      parts.add(encode(part));
    }
    return String.join("/", parts);
  }
}
