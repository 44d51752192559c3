package dev.modelhost.spring.internal;

import dev.modelhost.api.Json;
import dev.modelhost.api.ErrorMapper;
import dev.modelhost.exception.ModelhostException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes any error as OpenAI error JSON, with the status, body and Retry-After of {@link ErrorMapper}. */
final class HttpErrors {

  private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);

  private HttpErrors() {}

  public static void write(HttpServletResponse response, Throwable error) throws IOException {
    var mapped = ErrorMapper.map(error);
    if (mapped.status() >= 500 && error instanceof ModelhostException) {
      // ErrorMapper logs unexpected errors itself; ours are logged here once.
      log.warn("Request failed with {}: {}", mapped.status(), error.toString(), error);
    } else {
      log.debug("Request refused with {}: {}", mapped.status(), error.toString());
    }
    if (response.isCommitted()) {
      return;
    }
    response.resetBuffer();
    response.setStatus(mapped.status());
    String retryAfter = mapped.retryAfterHeader();
    if (retryAfter != null) {
      response.setHeader("Retry-After", retryAfter);
    }
    if (mapped.status() == 401) {
      response.setHeader("WWW-Authenticate", "Bearer");
    }
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    byte[] body = Json.mapper().writeValueAsBytes(mapped.body());
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
    response.flushBuffer();
  }

  /** The error as one SSE event, for errors after a stream has started. */
  static byte[] event(Throwable error) {
    var mapped = ErrorMapper.map(error);
    log.warn("Stream failed after it started ({}): {}", mapped.status(), error.toString(), error);
    return SseWriter.event(Json.mapper().writeValueAsBytes(mapped.body()));
  }
}
