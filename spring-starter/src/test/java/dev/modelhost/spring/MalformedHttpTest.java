package dev.modelhost.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.api.ErrorResponse;
import dev.modelhost.api.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Malformed requests sent as raw bytes on a socket, most of which the servlet container refuses
 * before any filter or controller sees them: each answer is OpenAI error JSON with the right
 * status, says nothing about the server software, and none is logged as a server fault.
 */
@ExtendWith(OutputCaptureExtension.class)
class MalformedHttpTest extends ServerTestBase {

  private static final String AUTH = "Authorization: Bearer " + TestServer.ACME_KEY + "\r\n";

  static Stream<Arguments> requests() {
    return Stream.of(
        Arguments.of("16 KB Authorization header", 431,
            "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + "k".repeat(16 * 1024)
                + "\r\n\r\n"),
        Arguments.of("100 KB URL", 414,
            "GET /v1/models?q=" + "a".repeat(100 * 1024) + " HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n"),
        Arguments.of("negative Content-Length", 400,
            "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n" + AUTH
                + "Content-Type: application/json\r\nContent-Length: -1\r\n\r\n"),
        Arguments.of("%00 in the path", 400,
            "GET /v1/models%00 HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n"),
        Arguments.of("backslash in the path", 400,
            "GET /v1\\models HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n"),
        Arguments.of("# in the path", 400,
            "GET /v1/models#x HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n"),
        Arguments.of("missing Host", 400,
            "GET /v1/models HTTP/1.1\r\n" + AUTH + "\r\n"),
        Arguments.of("two Host headers", 400,
            "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nHost: example.com\r\n" + AUTH + "\r\n"),
        Arguments.of("bare CR in a header", 400,
            "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nX-Odd: a\rb\r\n" + AUTH + "\r\n"),
        Arguments.of("garbage request line", 400,
            "\u0001\u0002garbage\r\n\r\n"),
        Arguments.of("HTTP/2.0 on a plain connection", 505,
            "GET /v1/models HTTP/2.0\r\nHost: localhost\r\n" + AUTH + "\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void answersWithOpenAiErrorJsonAndTheRightStatus(String what, int status, String request) throws Exception {
    String answer = exchange(request);

    String[] headAndBody = answer.split("\r\n\r\n", 2);
    assertThat(headAndBody).as(answer).hasSize(2);
    String head = headAndBody[0];
    assertThat(head).startsWith("HTTP/1.1 " + status + " ");
    assertThat(head.toLowerCase(Locale.ROOT)).contains("content-type: application/json")
        .doesNotContain("\nserver:");
    assertThat(answer).doesNotContainIgnoringCase("tomcat").doesNotContainIgnoringCase("apache")
        .doesNotContain("<html").doesNotContain("Exception").doesNotContain("\tat ");
    ErrorResponse.Error error = Json.mapper().readValue(headAndBody[1], ErrorResponse.class).error();
    assertThat(error.type()).isEqualTo("invalid_request_error");
    assertThat(error.message()).isNotBlank();
    assertThat(error.code()).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "GET /admin/usage?owner=%ff", "GET /admin/usage?owner=%zz", "GET /admin/usage?owner=%e2%82",
    "DELETE /admin/services/acme/nothing?confirm=%ff", "GET /v1/models?x=%"
  })
  void refusesABrokenPercentEscapeInTheQueryWith400(String methodAndTarget, CapturedOutput output)
      throws Exception {
    String answer = exchange(methodAndTarget + " HTTP/1.1\r\nHost: localhost\r\n"
        + "Authorization: Bearer " + TestServer.ADMIN_KEY + "\r\n\r\n");

    assertThat(answer).startsWith("HTTP/1.1 400 ");
    ErrorResponse.Error error = Json.mapper().readValue(answer.split("\r\n\r\n", 2)[1], ErrorResponse.class).error();
    assertThat(error.code()).isEqualTo("invalid_url");
    assertThat(output.getAll()).doesNotContain("Unexpected error").doesNotContain(" ERROR ");
  }

  @Test
  void aBodyShorterThanItsContentLengthIsNotAServerError(CapturedOutput output) throws Exception {
    String answer = exchange("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n" + AUTH
        + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":");

    assertThat(answer).doesNotStartWith("HTTP/1.1 5");
    assertThat(output.getAll()).doesNotContain("Unexpected error").doesNotContain(" ERROR ");
  }

  /** Sends the bytes as they are and reads the answer until the server closes or 2 s of quiet. */
  private String exchange(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      try {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        socket.shutdownOutput();
      } catch (SocketException closedEarly) {
        // The server may answer and close before it has read everything; the answer is still there.
      }
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      try {
        int read;
        while ((read = in.read(buffer)) != -1) {
          answer.write(buffer, 0, read);
        }
      } catch (SocketException reset) {
        // A reset after the answer was sent.
      }
      return answer.toString(StandardCharsets.UTF_8);
    }
  }
}
