package dev.modelhost.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.api.ErrorResponse;
import dev.modelhost.api.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every refusal of the management API names its parameter and carries a machine-readable code. */
class AdminValidationTest extends ServerTestBase {

  private static final String VALID = "\"owner\":\"team-v\",\"name\":\"v\",\"backend\":\"scripted\",\"location\":\"x\"";

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of("/admin/services", "{" + VALID + ",\"replica\":2}", "replica", "unknown_parameter",
            "Unknown parameter: 'replica'."),
        Arguments.of("/admin/services", "{" + VALID + ",\"billing\":{\"typ\":\"free\"}}", "billing.typ",
            "unknown_parameter", "Unknown parameter: 'billing.typ'."),
        Arguments.of("/admin/keys", "{\"owner\":\"acme\",\"ownr\":\"acme\"}", "ownr", "unknown_parameter",
            "Unknown parameter: 'ownr'."),
        Arguments.of("/admin/services", "{" + VALID + ",\"queue_capacity\":-1}", "queue_capacity", "invalid_value", null),
        Arguments.of("/admin/services", "{" + VALID + ",\"max_choices\":0}", "max_choices", "invalid_value", null),
        Arguments.of("/admin/services", "{" + VALID + ",\"replicas\":65}", "replicas", "invalid_value", null),
        Arguments.of("/admin/services", "{" + VALID + ",\"request_timeout_seconds\":0}", "request_timeout_seconds",
            "invalid_value", null),
        Arguments.of("/admin/services", "{" + VALID + ",\"replicas\":\"two\"}", "replicas", "invalid_type", null),
        Arguments.of("/admin/services", "{" + VALID + ",\"billing\":{\"type\":\"barter\"}}", "billing",
            "invalid_value", null),
        Arguments.of("/admin/services", "{" + VALID + ",\"options\":{\"k\":null}}", "options.k", "invalid_type", null),
        Arguments.of("/admin/services", "{\"owner\":\"Team V\",\"name\":\"v\",\"location\":\"x\"}", "owner",
            "invalid_value", null),
        Arguments.of("/admin/services", "{\"owner\":\"team-v\",\"name\":\"v\"}", "location",
            "missing_required_parameter", null),
        Arguments.of("/admin/services/acme/chat/scale", "{\"replicas\":-1}", "replicas", "invalid_value", null),
        Arguments.of("/admin/services/acme/chat/scale", "{}", "replicas", "missing_required_parameter", null),
        Arguments.of("/admin/keys", "{}", "owner", "missing_required_parameter", null));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badRequests")
  void namesTheParameterAndGivesACode(String path, String body, String param, String code, @Nullable String message)
      throws Exception {
    HttpResponse<String> response = send("POST", path, TestServer.ADMIN_KEY, body);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    ErrorResponse.Error error = Json.mapper().readValue(response.body(), ErrorResponse.class).error();
    assertThat(error.type()).isEqualTo("invalid_request_error");
    assertThat(error.param()).isEqualTo(param);
    assertThat(error.code()).isEqualTo(code);
    if (message != null) {
      assertThat(error.message()).isEqualTo(message);
    }
  }

  @Test
  void headOfTheBareHealthCheckNeedsNoKeyLikeGet() throws Exception {
    HttpRequest head = HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();

    assertThat(HTTP.send(head, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
    assertThat(send("POST", "/actuator/health", null, "{}").statusCode()).isEqualTo(401);
  }

  @Test
  void aRouteInTheWrongCaseIsUnknownNotForbidden() throws Exception {
    HttpResponse<String> response =
        send("POST", "/V1/chat/completions", TestServer.ACME_KEY, chatBody("acme/chat", "Hi", false));

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(Json.mapper().readValue(response.body(), ErrorResponse.class).error().code()).isEqualTo("unknown_url");
  }

  @Test
  void callExamplesIgnoreTheHostHeader() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/services/acme/chat"))
        .header("Authorization", "Bearer " + TestServer.ADMIN_KEY)
        .build();
    // The JDK client refuses to set Host; a raw request sets it.
    String answer = rawGet("/admin/services/acme/chat", "evil.example.com");

    assertThat(answer).startsWith("HTTP/1.1 200 ").doesNotContain("evil.example.com")
        .contains("http://127.0.0.1:" + port + "/v1");
    assertThat(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body())
        .contains("http://127.0.0.1:" + port + "/v1");
  }

  private String rawGet(String path, String host) throws Exception {
    try (var socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer "
          + TestServer.ADMIN_KEY + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
