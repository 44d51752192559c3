package dev.modelhost.spring.internal;

import dev.modelhost.ResponseStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a {@link ResponseStream} as OpenAI's server-sent events: {@code data: {json}} per chunk and
 * {@code data: [DONE]} at the end. While no chunk comes (the request waits in the queue, a long
 * prompt is read), an SSE comment {@code : keep-alive} goes out every {@link #KEEP_ALIVE}: servlet
 * containers notice a client that has gone only when a write to it fails. The stream is always
 * closed, which cancels the generation, or withdraws the request from the queue, when the client went
 * away before the end.
 */
final class SseWriter {

  private static final Logger log = LoggerFactory.getLogger(SseWriter.class);
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] KEEP_ALIVE_COMMENT = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

  /** How long the writer waits for a chunk before it sends a keep-alive comment. */
  static final Duration KEEP_ALIVE = Duration.ofMillis(500);

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
   * Streams the chunks, each written by {@code json}. An error within the first {@link #KEEP_ALIVE}
   * propagates (the caller answers it with a status and error JSON); an error after the response has
   * started (the first chunk or keep-alive) becomes an error event followed by {@code [DONE]}. The
   * stream ends with an error event as soon as {@code interruption} returns an error (checked before
   * every chunk and at every keep-alive, so within {@link #KEEP_ALIVE} of the cause), e.g. when the
   * caller's API key is revoked. {@code beforeDone} runs after the last chunk and before
   * {@code data: [DONE]} (e.g. to wait until the request's usage is recorded).
   */
  static <T> void write(ResponseStream<T> stream, Function<T, byte[]> json, HttpServletResponse response,
      Supplier<@Nullable RuntimeException> interruption, Runnable beforeDone) throws IOException {
    try (stream) {
      // Waiting a little before committing lets validation and refusal errors keep their status.
      boolean answered = stream.awaitNext(KEEP_ALIVE);
      boolean hasNext = answered && stream.hasNext();
      response.setStatus(200);
      response.setContentType("text/event-stream");
      response.setCharacterEncoding("UTF-8");
      response.setHeader("Cache-Control", "no-cache");
      response.setHeader("X-Accel-Buffering", "no");
      ServletOutputStream out = response.getOutputStream();
      try {
        if (!answered) {
          hasNext = nextOrError(stream, out, interruption);
        }
        while (hasNext) {
          RuntimeException interrupted = interruption.get();
          if (interrupted != null) {
            out.write(HttpErrors.event(interrupted));
            break;
          }
          out.write(event(json.apply(stream.next())));
          out.flush();
          hasNext = nextOrError(stream, out, interruption);
        }
        beforeDone.run();
        out.write(DONE);
        out.flush();
      } catch (IOException disconnected) {
        log.info("Client disconnected from stream {}; cancelling the generation", stream.id());
      }
    }
  }

  /**
   * Advances the stream, sending keep-alives while it waits; a generation error is written as an
   * event and ends it.
   */
  private static boolean nextOrError(ResponseStream<?> stream, ServletOutputStream out,
      Supplier<@Nullable RuntimeException> interruption) throws IOException {
    while (!stream.awaitNext(KEEP_ALIVE)) {
      RuntimeException interrupted = interruption.get();
      if (interrupted != null) {
        out.write(HttpErrors.event(interrupted));
        return false;
      }
      out.write(KEEP_ALIVE_COMMENT);
      out.flush();
    }
    try {
      return stream.hasNext();
    } catch (RuntimeException error) {
      out.write(HttpErrors.event(error));
      return false;
    }
  }
}
