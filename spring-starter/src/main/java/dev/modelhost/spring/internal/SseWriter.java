package dev.modelhost.spring.internal;

import dev.modelhost.ResponseStream;
import dev.modelhost.api.Json;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a {@link ResponseStream} as OpenAI's server-sent events: {@code data: {json}} per chunk and
 * {@code data: [DONE]} at the end. The stream is always closed, which cancels the generation when the
 * client went away before the end.
 */
final class SseWriter {

  private static final Logger log = LoggerFactory.getLogger(SseWriter.class);
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

  private SseWriter() {}

  static byte[] event(byte[] json) {
    byte[] event = new byte[json.length + 8];
    System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, event, 0, 6);
    System.arraycopy(json, 0, event, 6, json.length);
    event[event.length - 2] = '\n';
    event[event.length - 1] = '\n';
    return event;
  }

  /**
   * Streams the chunks. An error before the first chunk propagates (the caller answers it with a
   * status and error JSON); an error after it becomes an error event followed by {@code [DONE]}.
   */
  static void write(ResponseStream<?> stream, HttpServletResponse response) throws IOException {
    try (stream) {
      // Waiting for the first chunk before committing lets queue and validation errors keep their status.
      boolean hasNext = stream.hasNext();
      response.setStatus(200);
      response.setContentType("text/event-stream");
      response.setCharacterEncoding("UTF-8");
      response.setHeader("Cache-Control", "no-cache");
      response.setHeader("X-Accel-Buffering", "no");
      ServletOutputStream out = response.getOutputStream();
      try {
        while (hasNext) {
          out.write(event(Json.mapper().writeValueAsBytes(stream.next())));
          out.flush();
          hasNext = nextOrError(stream, out);
        }
        out.write(DONE);
        out.flush();
      } catch (IOException disconnected) {
        log.info("Client disconnected from stream {}; cancelling the generation", stream.id());
      }
    }
  }

  /** Advances the stream; a generation error is written as an event and ends it. */
  private static boolean nextOrError(ResponseStream<?> stream, ServletOutputStream out) throws IOException {
    try {
      return stream.hasNext();
    } catch (RuntimeException error) {
      out.write(HttpErrors.event(error));
      return false;
    }
  }
}
