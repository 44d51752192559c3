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
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The catalogue of bad input, sent as raw bytes on a socket against the real server: malformed
 * HTTP that the servlet container refuses before any filter runs, broken URLs, and bodies with
 * wrong types, non-finite numbers, deep nesting or invalid UTF-8. Each answer is OpenAI error JSON
 * with the expected status, {@code type}, {@code code} and {@code param}; none names the server
 * software or shows a stack trace, and none is logged as a server fault.
 */
@ExtendWith(OutputCaptureExtension.class)
class BadInputCatalogueTest extends ServerTestBase {

  private static final String INVALID = "invalid_request_error";
  private static final String AUTH = "Authorization: Bearer " + TestServer.ACME_KEY + "\r\n";
  private static final String ADMIN = "Authorization: Bearer " + TestServer.ADMIN_KEY + "\r\n";

  record Case(String name, byte[] request, int status, String type, @Nullable String code, @Nullable String param) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case raw(String name, String request, int status, @Nullable String code) {
    return new Case(name, request.getBytes(StandardCharsets.ISO_8859_1), status, INVALID, code, null);
  }

  private static Case chat(String name, String fields, int status, @Nullable String code, @Nullable String param) {
    return chatBytes(name, ("{\"model\":\"acme/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]" + fields + "}")
        .getBytes(StandardCharsets.UTF_8), status, code, param);
  }

  private static Case chatBytes(String name, byte[] body, int status, @Nullable String code, @Nullable String param) {
    byte[] head = ("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n" + AUTH
        + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
    byte[] request = new byte[head.length + body.length];
    System.arraycopy(head, 0, request, 0, head.length);
    System.arraycopy(body, 0, request, head.length, body.length);
    return new Case(name, request, status, INVALID, code, param);
  }

  private static Case admin(String name, String methodAndTarget, int status, @Nullable String code) {
    return raw(name, methodAndTarget + " HTTP/1.1\r\nHost: localhost\r\n" + ADMIN + "\r\n", status, code);
  }

  static Stream<Case> catalogue() {
    String deep = "[".repeat(5000) + "]".repeat(5000);
    byte[] invalidUtf8 = "{\"model\":\"acme/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"\u00ff\u00fe\"}]}"
        .getBytes(StandardCharsets.ISO_8859_1);
    return Stream.of(
        // HTTP that Tomcat refuses before the application runs.
        raw("16 KB Authorization header", "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
            + "k".repeat(16 * 1024) + "\r\n\r\n", 431, "headers_too_large"),
        raw("100 KB URL", "GET /v1/models?q=" + "a".repeat(100 * 1024) + " HTTP/1.1\r\nHost: localhost\r\n" + AUTH
            + "\r\n", 414, "url_too_long"),
        raw("negative Content-Length", "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n" + AUTH
            + "Content-Type: application/json\r\nContent-Length: -1\r\n\r\n", 400, "malformed_http_request"),
        raw("%00 in the path", "GET /v1/models%00 HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n", 400,
            "malformed_http_request"),
        raw("backslash in the path", "GET /v1\\models HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n", 400,
            "malformed_http_request"),
        raw("# in the path", "GET /v1/models#x HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n", 400,
            "malformed_http_request"),
        raw("missing Host", "GET /v1/models HTTP/1.1\r\n" + AUTH + "\r\n", 400, "malformed_http_request"),
        raw("two Host headers", "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nHost: example.com\r\n" + AUTH
            + "\r\n", 400, "malformed_http_request"),
        raw("bare CR in a header", "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nX-Odd: a\rb\r\n" + AUTH + "\r\n",
            400, "malformed_http_request"),
        raw("garbage request line", "\u0001\u0002garbage\r\n\r\n", 400, "malformed_http_request"),
        raw("HTTP/2.0 on a plain connection", "GET /v1/models HTTP/2.0\r\nHost: localhost\r\n" + AUTH + "\r\n", 505,
            "http_version_not_supported"),
        // URLs the application refuses.
        admin("query escape %ff", "GET /admin/usage?owner=%ff", 400, "invalid_url"),
        admin("query escape %zz", "GET /admin/usage?owner=%zz", 400, "invalid_url"),
        admin("truncated UTF-8 escape", "GET /admin/usage?owner=%e2%82", 400, "invalid_url"),
        admin("delete confirmation %ff", "DELETE /admin/services/acme/nothing?confirm=%ff", 400, "invalid_url"),
        admin("lone % in the query", "GET /v1/models?x=%", 400, "invalid_url"),
        admin("dot segment", "GET /v1/../admin/keys", 400, "invalid_url"),
        raw("wrong-case route", "GET /V1/models HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "\r\n", 404, "unknown_url"),
        // Bodies.
        chat("string for a number", ",\"temperature\":\"hot\"", 400, "invalid_type", "temperature"),
        chat("decimal for an integer", ",\"n\":1.5", 400, "invalid_type", "n"),
        chat("number for the model", ",\"user\":7", 400, "invalid_type", "user"),
        chat("number for stop", ",\"stop\":5", 400, "invalid_type", "stop"),
        chat("NaN", ",\"temperature\":NaN", 400, null, null),
        chat("Infinity", ",\"temperature\":Infinity", 400, null, null),
        chat("overflowing decimal", ",\"temperature\":1e400", 400, "invalid_value", "temperature"),
        chat("negative max_tokens", ",\"max_tokens\":-1", 400, "integer_below_min_value", "max_tokens"),
        chat("logit_bias key not a token id", ",\"logit_bias\":{\"abc\":1}", 400, "invalid_value", "logit_bias"),
        chat("unknown response_format", ",\"response_format\":{\"type\":\"xml\"}", 400, "invalid_value",
            "response_format.type"),
        chatBytes("deep nesting", ("{\"model\":\"acme/chat\",\"x\":" + deep + "}").getBytes(StandardCharsets.UTF_8),
            400, null, null),
        chatBytes("invalid UTF-8", invalidUtf8, 400, null, null),
        chatBytes("array body", "[]".getBytes(StandardCharsets.UTF_8), 400, null, null),
        chatBytes("missing model", "{\"messages\":[]}".getBytes(StandardCharsets.UTF_8), 400,
            "missing_required_parameter", "model"),
        chatBytes("messages of the wrong type", "{\"model\":\"acme/chat\",\"messages\":\"Hi\"}"
            .getBytes(StandardCharsets.UTF_8), 400, "invalid_type", "messages"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("catalogue")
  void answersBadInputWithOpenAiErrorJson(Case badInput, CapturedOutput output) throws Exception {
    String answer = exchange(badInput.request());

    String[] headAndBody = answer.split("\r\n\r\n", 2);
    assertThat(headAndBody).as(answer).hasSize(2);
    String head = headAndBody[0];
    assertThat(head).startsWith("HTTP/1.1 " + badInput.status() + " ");
    assertThat(head.toLowerCase(Locale.ROOT)).contains("content-type: application/json")
        .doesNotContain("\nserver:");
    assertThat(answer).doesNotContainIgnoringCase("tomcat").doesNotContainIgnoringCase("apache")
        .doesNotContain("<html").doesNotContain("Exception").doesNotContain("\tat ");
    ErrorResponse.Error error = Json.mapper().readValue(headAndBody[1], ErrorResponse.class).error();
    assertThat(error.type()).isEqualTo(badInput.type());
    assertThat(error.code()).isEqualTo(badInput.code());
    assertThat(error.param()).isEqualTo(badInput.param());
    assertThat(error.message()).isNotBlank();
    assertThat(output.getAll()).doesNotContain("Unexpected error").doesNotContain(" ERROR ");
  }

  @Test
  void aBodyShorterThanItsContentLengthIsNotAServerError(CapturedOutput output) throws Exception {
    String answer = exchange(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n" + AUTH
        + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":")
        .getBytes(StandardCharsets.ISO_8859_1));

    assertThat(answer).doesNotStartWith("HTTP/1.1 5");
    assertThat(output.getAll()).doesNotContain("Unexpected error").doesNotContain(" ERROR ");
  }

  /** Sends the bytes as they are, half-closes, and reads the answer until the server closes. */
  private String exchange(byte[] request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      try {
        socket.getOutputStream().write(request);
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
