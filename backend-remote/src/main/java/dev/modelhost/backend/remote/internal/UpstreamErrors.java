package dev.modelhost.backend.remote.internal;

import dev.modelhost.api.Json;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.exception.UpstreamException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Turns upstream failures into our exceptions. Upstream text is re-created, never passed through:
 * the upstream key, URLs, host names and key-like tokens are removed and the upstream model id is
 * replaced by the service's name, so nothing about the upstream leaks to our callers.
 */
final class UpstreamErrors {

  private static final int MAX_MESSAGE_CHARS = 1000;
  private static final Pattern URL = Pattern.compile("(?i)\\b(?:https?|wss?)://\\S+");
  private static final Pattern BEARER = Pattern.compile("(?i)bearer\\s+\\S+");
  private static final Pattern KEY_LIKE = Pattern.compile("\\b(?:sk|pk|rk|key)-[A-Za-z0-9_*.\\-]{4,}");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

  private final @Nullable String apiKey;
  private final List<String> hosts;
  private final @Nullable String upstreamModel;

  UpstreamErrors(@Nullable String apiKey, List<URI> baseUrls, @Nullable String upstreamModel) {
    this.apiKey = apiKey;
    List<String> list = new ArrayList<>();
    for (URI url : baseUrls) {
      list.add(url.getRawAuthority());
      list.add(url.getHost());
    }
    // Longest first, so that "host:port" goes before "host".
    list.sort((a, b) -> Integer.compare(b.length(), a.length()));
    this.hosts = List.copyOf(list);
    this.upstreamModel = upstreamModel;
  }

  static BackendException unreachable(@Nullable Throwable cause) {
    return new BackendException(
        "The upstream server could not be reached.", 502, "upstream_unreachable", true, cause);
  }

  static BackendException firstByteTimeout() {
    return new BackendException(
        "The upstream server did not start answering in time.", 504, "upstream_timeout", true, null);
  }

  static BackendException idleTimeout() {
    return new BackendException(
        "The upstream server stopped sending in the middle of the answer.", 504, "upstream_timeout",
        true, null);
  }

  static BackendException brokenStream(@Nullable Throwable cause) {
    return new BackendException(
        "The upstream connection broke before the answer was complete.", 502, "bad_gateway", true,
        cause);
  }

  static BackendException malformed(String what) {
    return new BackendException(
        "The upstream server sent a malformed answer: " + what + ".", 502, "bad_gateway", false, null);
  }

  static BackendException serverError(int status) {
    return new BackendException(
        "The upstream server failed (HTTP " + status + ").", 502, "bad_gateway", true, null);
  }

  /** A status that is neither success nor error, e.g. a redirect, which is never followed. */
  static BackendException unexpectedStatus(int status) {
    return new BackendException(
        "The upstream server answered with HTTP " + status + "; redirects are not followed.", 502,
        "bad_gateway", false, null);
  }

  /**
   * A non-success status other than 429 and 5xx. 401, 403, 404 and 407 say that this service is
   * configured wrongly (key, URL, model id), not that the caller erred, so they become a 502; 408 a
   * 504; every other 4xx keeps its status and error fields.
   */
  ModelhostException clientError(int status, byte[] body, @Nullable String ourModel) {
    switch (status) {
      case 401, 403, 407 -> {
        return new BackendException(
            "The upstream server rejected this service's credentials (HTTP " + status + ").", 502,
            "upstream_auth_failed", false, null);
      }
      case 404 -> {
        return new BackendException(
            "The upstream server does not know this service's model or URL (HTTP 404).", 502,
            "upstream_not_found", false, null);
      }
      case 408 -> {
        return firstByteTimeout();
      }
      default -> {
        // handled below
      }
    }
    JsonNode error = errorNode(body);
    String message = error == null ? null : text(error.get("message"));
    String type = error == null ? null : identifier(error.get("type"));
    String param = error == null ? null : identifier(error.get("param"));
    String code = error == null ? null : identifier(error.get("code"));
    return new UpstreamException(
        message == null || message.isBlank()
            ? "The upstream server rejected the request (HTTP " + status + ")."
            : sanitize(message, ourModel),
        status,
        type == null ? "invalid_request_error" : type,
        param,
        code);
  }

  /** An error object sent inside an event stream; always a 502, with the upstream's message. */
  BackendException streamError(JsonNode error, @Nullable String ourModel) {
    String message = text(error.get("message"));
    return new BackendException(
        "The upstream server failed while answering"
            + (message == null || message.isBlank() ? "." : ": " + sanitize(message, ourModel)),
        502, "bad_gateway", false, null);
  }

  /** The {@code error} object of an OpenAI error body, or the body itself when it is flat. */
  static @Nullable JsonNode errorNode(byte[] body) {
    JsonNode root;
    try {
      root = Json.mapper().readTree(new String(body, StandardCharsets.UTF_8));
    } catch (JacksonException e) {
      return null;
    }
    if (root == null || !root.isObject()) {
      return null;
    }
    JsonNode error = root.get("error");
    if (error != null && error.isObject()) {
      return error;
    }
    if (error != null && error.isString()) {
      return Json.mapper().createObjectNode().put("message", error.asString());
    }
    return root.has("message") ? root : null;
  }

  String sanitize(String message, @Nullable String ourModel) {
    String text = apiKey == null ? message : message.replace(apiKey, "***");
    for (String host : hosts) {
      text = text.replace(host, "[upstream]");
    }
    text = URL.matcher(text).replaceAll("[upstream]");
    text = BEARER.matcher(text).replaceAll("Bearer ***");
    text = KEY_LIKE.matcher(text).replaceAll("***");
    if (upstreamModel != null && ourModel != null && !upstreamModel.equals(ourModel)) {
      text = text.replace(upstreamModel, ourModel);
    }
    text = text.replaceAll("\\p{Cntrl}", " ").strip();
    return text.length() <= MAX_MESSAGE_CHARS ? text : text.substring(0, MAX_MESSAGE_CHARS) + "...";
  }

  private static @Nullable String text(@Nullable JsonNode node) {
    return node != null && node.isValueNode() && !node.isNull() ? node.asString() : null;
  }

  private static @Nullable String identifier(@Nullable JsonNode node) {
    String text = text(node);
    return text != null && IDENTIFIER.matcher(text).matches() ? text : null;
  }
}
