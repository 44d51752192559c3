package dev.modelhost.spring.internal;

import dev.modelhost.api.Json;
import dev.modelhost.api.ErrorMapper;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.RequestTooLargeException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.DeserializationFeature;

/**
 * Reads JSON request bodies with {@link Json#mapper()}, so that what is accepted on the wire is
 * decided by the wire types, not by Spring's message converters.
 */
public final class RequestBodies {

  private final long maxBytes;

  public RequestBodies(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  public long maxBytes() {
    return maxBytes;
  }

  /**
   * The body as a wire type, whose unknown fields are ignored: 415 unless JSON, 413 when too large,
   * 400 when malformed.
   */
  public <T> T read(HttpServletRequest request, Class<T> type) throws IOException {
    return nonNull(Json.read(readJson(request), type));
  }

  /** The body as a management-API type, which refuses unknown fields (a typo is a 400, not ignored). */
  public <T> T readStrict(HttpServletRequest request, Class<T> type) throws IOException {
    byte[] body = readJson(request);
    // A JacksonException is mapped to a 400 naming the field by ErrorMapper.
    return nonNull(Json.mapper().readerFor(type).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(Json.text(body)));
  }

  private byte[] readJson(HttpServletRequest request) throws IOException {
    String contentType = request.getContentType();
    if (contentType == null || !isJson(contentType)) {
      throw StatusExceptions.unsupportedMediaType(contentType);
    }
    return readLimited(request);
  }

  private static <T> T nonNull(@Nullable T value) {
    if (value == null) {
      throw new InvalidRequestException(ErrorMapper.UNPARSABLE_BODY_MESSAGE, null, null);
    }
    return value;
  }

  private byte[] readLimited(HttpServletRequest request) throws IOException {
    long declared = request.getContentLengthLong();
    if (declared > maxBytes) {
      throw new RequestTooLargeException(maxBytes);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 1024);
    byte[] buffer = new byte[8192];
    try (InputStream in = request.getInputStream()) {
      int read;
      while ((read = in.read(buffer)) != -1) {
        if (out.size() + read > maxBytes) {
          throw new RequestTooLargeException(maxBytes);
        }
        out.write(buffer, 0, read);
      }
    } catch (IOException clientGone) {
      // The client stopped sending (fewer bytes than its Content-Length, a reset): its fault, not ours.
      throw new InvalidRequestException(
          "The request body ended after " + out.size() + " bytes, before its declared length.", null,
          "incomplete_body");
    }
    return out.toByteArray();
  }

  private static boolean isJson(String contentType) {
    String type = contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim();
    return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
  }
}
