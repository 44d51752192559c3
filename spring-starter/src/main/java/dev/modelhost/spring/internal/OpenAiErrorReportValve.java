package dev.modelhost.spring.internal;

import dev.modelhost.api.Json;
import dev.modelhost.api.ErrorMapper;
import dev.modelhost.exception.ModelhostException;
import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tomcat's error report for requests it refuses before any filter or servlet runs (a malformed
 * request line, header or URL, an unsupported HTTP version): OpenAI error JSON instead of Tomcat's
 * HTML page, with no server name or stack trace. Errors inside the application never reach it:
 * they are written by the controllers or by {@link OpenAiErrorController}.
 */
public final class OpenAiErrorReportValve extends ErrorReportValve {

  private static final Logger log = LoggerFactory.getLogger(OpenAiErrorReportValve.class);

  // Tomcat's message when the request line or headers overflow the connector's header buffer.
  private static final String HEADER_TOO_LARGE = "Request header is too large";

  @Override
  protected void report(Request request, Response response, @Nullable Throwable throwable) {
    if (response.getStatus() < 400 || response.getContentWritten() > 0) {
      return;
    }
    AtomicBoolean ioAllowed = new AtomicBoolean(true);
    response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
    if (!ioAllowed.get()) {
      return;
    }
    ModelhostException error = refusal(response.getStatus(), request, throwable);
    log.debug("Request refused by the HTTP connector with {}: {}", error.httpStatus(),
        throwable == null ? "no detail" : throwable.toString());
    var mapped = ErrorMapper.map(error);
    try {
      response.setStatus(mapped.status());
      response.setContentType("application/json");
      response.setCharacterEncoding("UTF-8");
      Writer writer = response.getReporter();
      if (writer != null) {
        writer.write(Json.mapper().writeValueAsString(mapped.body()));
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException e) {
      log.debug("Could not write the error report: {}", e.toString());
    }
  }

  static ModelhostException refusal(int status, Request request, @Nullable Throwable throwable) {
    if (throwable != null && HEADER_TOO_LARGE.equals(throwable.getMessage())) {
      // The buffer overflowed before the request target was read: the URL is what is too long.
      return request.getCoyoteRequest().requestURI().isNull()
          ? new StatusExceptions.HttpStatusException("The request URL is too long.", 414, "url_too_long")
          : new StatusExceptions.HttpStatusException("The request headers are too large.", 431,
              "headers_too_large");
    }
    if (status == 505) {
      return new StatusExceptions.HttpStatusException(
          "HTTP version not supported: send HTTP/1.1 (or HTTP/2 over TLS).", 505, "http_version_not_supported");
    }
    if (status >= 500) {
      return StatusExceptions.forStatus(status, "", "", 0);
    }
    return new StatusExceptions.HttpStatusException(
        "Malformed HTTP request: the request line, a header (Host included) or the URL is not valid HTTP/1.1.",
        status, "malformed_http_request");
  }
}
