package dev.modelhost.spring.internal;

import dev.modelhost.exception.AuthenticationException;
import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.exception.PermissionDeniedException;
import dev.modelhost.exception.RateLimitedException;
import dev.modelhost.exception.RequestTooLargeException;
import dev.modelhost.spring.ApiKey;
import dev.modelhost.spring.ApiKeys;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Requires {@code Authorization: Bearer <key>} on every route but the bare health checks. Owner keys
 * reach only {@code /v1/...}; everything else (management API, actuator, unknown routes) needs the
 * admin key. A key over its limit of concurrent requests gets 429. Paths that are not in canonical
 * form are refused before any of this, so that {@code //}, {@code ..}, encoded characters (but
 * {@code %2F}) or {@code ;} parameters cannot make one route look like another.
 */
public final class ApiKeyFilter extends OncePerRequestFilter {

  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
  private static final String ATTRIBUTE = ApiKeyFilter.class.getName() + ".key";

  private static final Set<String> PUBLIC_PATHS =
      Set.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness");

  private final ApiKeys keys;
  private final long maxBodyBytes;
  private final int maxConcurrentPerKey;
  private final ConcurrentMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  /** @param maxConcurrentPerKey requests a key may have in flight at once (more get 429); 0: no limit */
  public ApiKeyFilter(ApiKeys keys, long maxBodyBytes, int maxConcurrentPerKey) {
    if (maxConcurrentPerKey < 0) {
      throw new ConfigurationException("max-concurrent-requests-per-key must be >= 0", "max-concurrent-requests-per-key");
    }
    this.keys = keys;
    this.maxBodyBytes = maxBodyBytes;
    this.maxConcurrentPerKey = maxConcurrentPerKey;
  }

  /** The key that authenticated this request; set for every request past this filter. */
  public static ApiKey key(HttpServletRequest request) {
    Object key = request.getAttribute(ATTRIBUTE);
    if (key instanceof ApiKey apiKey) {
      return apiKey;
    }
    throw new AuthenticationException("The request was not authenticated.");
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String rawPath = request.getRequestURI().substring(request.getContextPath().length());
    if (!isCanonical(rawPath)) {
      HttpErrors.write(response, new StatusExceptions.HttpStatusException(
          "Invalid URL (" + request.getMethod() + " " + rawPath + "): the path is not in canonical form.",
          400, "invalid_url"));
      return;
    }
    if (!isWellEncodedQuery(request.getQueryString())) {
      HttpErrors.write(response, new StatusExceptions.HttpStatusException(
          "Invalid URL (" + request.getMethod() + " " + rawPath + "): the query string has a malformed"
              + " percent-escape or is not UTF-8.",
          400, "invalid_url"));
      return;
    }
    boolean read = request.getMethod().equals("GET") || request.getMethod().equals("HEAD");
    if (read && PUBLIC_PATHS.contains(rawPath)) {
      chain.doFilter(request, response);
      return;
    }
    Optional<ApiKey> key;
    try {
      key = authenticate(request.getHeader("Authorization"));
    } catch (AuthenticationException e) {
      HttpErrors.write(response, e);
      return;
    }
    ApiKey apiKey = key.orElseThrow();
    if (!apiKey.admin() && !rawPath.startsWith("/v1/")) {
      if (!isAdminRoute(rawPath)) {
        // No route but /v1, /admin and /actuator exists (paths are case-sensitive): nothing to forbid.
        HttpErrors.write(response, StatusExceptions.unknownRoute(request.getMethod(), rawPath));
        return;
      }
      HttpErrors.write(response, new PermissionDeniedException(
          "This API key belongs to owner '" + apiKey.owner() + "' and may only call the /v1 API of its services."));
      return;
    }
    if (request.getContentLengthLong() > maxBodyBytes) {
      HttpErrors.write(response, new RequestTooLargeException(maxBodyBytes));
      return;
    }
    AtomicInteger counter = inFlight.computeIfAbsent(apiKey.id(), id -> new AtomicInteger());
    if (counter.incrementAndGet() > maxConcurrentPerKey && maxConcurrentPerKey > 0) {
      counter.decrementAndGet();
      HttpErrors.write(response, new RateLimitedException(
          "Too many concurrent requests for this API key (limit " + maxConcurrentPerKey + ").", RETRY_AFTER));
      return;
    }
    request.setAttribute(ATTRIBUTE, apiKey);
    MDC.put("apiKey", apiKey.id());
    try {
      chain.doFilter(request, response);
    } finally {
      MDC.remove("apiKey");
      counter.decrementAndGet();
    }
  }

  private Optional<ApiKey> authenticate(String header) {
    if (header == null || header.isBlank()) {
      throw new AuthenticationException(
          "You didn't provide an API key. You need to provide your API key in an Authorization header"
              + " using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
    }
    String credentials = bearerCredentials(header.trim());
    if (credentials == null) {
      throw new AuthenticationException(
          "The Authorization header must use Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
    }
    Optional<ApiKey> key = keys.authenticate(credentials);
    if (key.isEmpty()) {
      throw new AuthenticationException("Incorrect API key provided: " + StoredApiKeys.mask(credentials) + ".");
    }
    return key;
  }

  /**
   * What follows {@code Bearer} (any case) and white space in a trimmed header, or null for another
   * scheme or none; read by hand because a regular expression would be compiled for every request.
   */
  static @Nullable String bearerCredentials(String header) {
    int end = 0;
    while (end < header.length() && !isSpace(header.charAt(end))) {
      end++;
    }
    if (end != "Bearer".length() || end == header.length() || !header.regionMatches(true, 0, "Bearer", 0, end)) {
      return null;
    }
    int start = end;
    while (isSpace(header.charAt(start))) {
      start++;
    }
    return header.substring(start);
  }

  /** The white space of a regular expression's {@code \\s}. */
  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
  }

  /**
   * Whether every {@code %} in the raw query starts a two-digit hex escape and the escapes decode to
   * UTF-8, so that reading a parameter later cannot fail.
   */
  static boolean isWellEncodedQuery(@Nullable String query) {
    if (query == null) {
      return true;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(query.length());
    for (int i = 0; i < query.length(); i++) {
      char c = query.charAt(i);
      if (c == '%') {
        if (i + 2 >= query.length()) {
          return false;
        }
        int high = Character.digit(query.charAt(i + 1), 16);
        int low = Character.digit(query.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return false;
        }
        bytes.write(high * 16 + low);
        i += 2;
      } else if (c > 0x7f) {
        return false;
      } else {
        bytes.write(c);
      }
    }
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static boolean isAdminRoute(String path) {
    return path.equals("/admin") || path.startsWith("/admin/") || path.equals("/actuator")
        || path.startsWith("/actuator/");
  }

  /** Plain segments only: no empty, {@code .} or {@code ..} segment, no escapes, no parameters. */
  static boolean isCanonical(String path) {
    if (path.isEmpty() || path.charAt(0) != '/') {
      return false;
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%') {
        // Only an encoded '/' is allowed: clients encode the slash of a model id in a single segment.
        if (!path.regionMatches(true, i, "%2F", 0, 3)) {
          return false;
        }
      } else if (c == ';' || c == '\\' || c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    String[] segments = path.substring(1).split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      boolean last = i == segments.length - 1;
      if ((segment.isEmpty() && !last) || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }
}
