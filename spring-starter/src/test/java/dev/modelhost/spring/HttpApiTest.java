package dev.modelhost.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.api.ErrorResponse;
import dev.modelhost.api.Json;
import dev.modelhost.testing.Await;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** The wire behaviour that SDKs hide: statuses, error bodies, SSE framing, path tricks, disconnects. */
class HttpApiTest extends ServerTestBase {

  private static ErrorResponse.Error error(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/json"));
    return Json.mapper().readValue(response.body(), ErrorResponse.class).error();
  }

  @Test
  void rejectsAMissingKeyWith401() throws Exception {
    HttpResponse<String> response = send("POST", "/v1/chat/completions", null, chatBody("acme/chat", "Hi", false));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(error(response).code()).isEqualTo("invalid_api_key");
    assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer");
  }

  @Test
  void rejectsAKeyWithoutBearerSchemeWith401() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/models"))
        .header("Authorization", TestServer.ACME_KEY).build();

    assertThat(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
  }

  @Test
  void servesBareHealthWithoutAKey() throws Exception {
    HttpResponse<String> response = send("GET", "/actuator/health", null, null);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"status\":\"UP\"");
  }

  @Test
  void keepsOtherActuatorEndpointsForTheAdminKey() throws Exception {
    assertThat(send("GET", "/actuator/metrics", null, null).statusCode()).isEqualTo(401);
    assertThat(send("GET", "/actuator/metrics", TestServer.ACME_KEY, null).statusCode()).isEqualTo(403);
    assertThat(send("GET", "/actuator/metrics", TestServer.ADMIN_KEY, null).statusCode()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "//v1/models", "/v1//models", "/v1/./models", "/v1/../admin/keys", "/v1/%2e%2e/admin/keys",
    "/admin;jsessionid=x/keys", "/actuator/health/../metrics", "/actuator/health;x", "/v1/models;x=y",
    "/%61dmin/keys", "/actuator/health/%2e%2e/metrics", "/admin/keys/", "/ADMIN/keys"
  })
  void pathTricksDoNotGetAroundTheKeyCheck(String path) throws Exception {
    HttpResponse<String> anonymous = send("GET", path, null, null);
    assertThat(anonymous.statusCode()).as(path).isIn(400, 401, 404);
    assertThat(anonymous.body()).as(path).doesNotContain("\"data\"").doesNotContain("names");

    HttpResponse<String> owner = send("GET", path, TestServer.ACME_KEY, null);
    assertThat(owner.statusCode()).as(path).isIn(400, 403, 404);
    assertThat(owner.body()).as(path).doesNotContain("\"data\"").doesNotContain("names");
  }

  @Test
  void answersAnUnknownRouteWithOpenAiStyle404() throws Exception {
    HttpResponse<String> response = send("GET", "/v1/nothing-here", TestServer.ACME_KEY, null);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(error(response).message()).isEqualTo("Invalid URL (GET /v1/nothing-here)");
  }

  @Test
  void answersAWrongMethodWith405() throws Exception {
    HttpResponse<String> response = send("GET", "/v1/chat/completions", TestServer.ACME_KEY, null);

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(error(response).type()).isEqualTo("invalid_request_error");
  }

  @Test
  void namesTheMethodThatWasRefusedWith405() throws Exception {
    HttpResponse<String> response = send("DELETE", "/v1/models", TestServer.ACME_KEY, null);

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(error(response).message()).isEqualTo("Method DELETE is not allowed for /v1/models.");
  }

  @Test
  void answersABodyOverTheLimitWith413() throws Exception {
    String prompt = "x".repeat(70 * 1024);
    HttpResponse<String> response =
        send("POST", "/v1/chat/completions", TestServer.ACME_KEY, chatBody("acme/chat", prompt, false));

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(error(response).code()).isEqualTo("request_too_large");
  }

  @Test
  void answersANonJsonBodyWith415() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + TestServer.ACME_KEY)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("model=acme/chat"))
        .build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(error(response).code()).isEqualTo("unsupported_media_type");
  }

  @Test
  void answersMalformedJsonWith400NotWith500() throws Exception {
    HttpResponse<String> broken = send("POST", "/v1/chat/completions", TestServer.ACME_KEY, "{\"model\":");
    assertThat(broken.statusCode()).isEqualTo(400);

    HttpResponse<String> wrongType = send("POST", "/v1/chat/completions", TestServer.ACME_KEY,
        "{\"model\":\"acme/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"n\":\"two\"}");
    assertThat(wrongType.statusCode()).isEqualTo(400);
    assertThat(error(wrongType).param()).isEqualTo("n");

    HttpResponse<String> empty = send("POST", "/v1/chat/completions", TestServer.ACME_KEY, "");
    assertThat(empty.statusCode()).isEqualTo(400);

    HttpResponse<String> noModel = send("POST", "/v1/chat/completions", TestServer.ACME_KEY, "{\"messages\":[]}");
    assertThat(noModel.statusCode()).isEqualTo(400);
  }

  @Test
  void echoesTheRequestIdOrMakesOne() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/models"))
        .header("Authorization", "Bearer " + TestServer.ACME_KEY)
        .header("X-Request-Id", "trace-42").build();

    assertThat(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).headers().firstValue("X-Request-Id"))
        .contains("trace-42");
    assertThat(send("GET", "/v1/models", TestServer.ACME_KEY, null).headers().firstValue("X-Request-Id"))
        .hasValueSatisfying(id -> assertThat(id).startsWith("req-"));
  }

  @Test
  void streamsServerSentEventsEndingWithDone() throws Exception {
    HttpResponse<String> response =
        send("POST", "/v1/chat/completions", TestServer.ACME_KEY, chatBody("acme/chat", "Hi", true));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/event-stream"));
    List<String> events = List.of(response.body().split("\n\n"));
    assertThat(events).allSatisfy(event -> assertThat(event).startsWith("data: "));
    assertThat(events.get(events.size() - 1)).isEqualTo("data: [DONE]");
    assertThat(events.get(0)).contains("\"object\":\"chat.completion.chunk\"").contains("\"role\":\"assistant\"");
    assertThat(response.body()).endsWith("data: [DONE]\n\n");
  }

  @Test
  void endsAStreamThatFailsMidwayWithAnErrorEventAndDone() throws Exception {
    HttpResponse<String> response =
        send("POST", "/v1/chat/completions", TestServer.ACME_KEY, chatBody("acme/chat", "fail-midway", true));

    assertThat(response.statusCode()).isEqualTo(200);
    List<String> events = List.of(response.body().split("\n\n"));
    assertThat(events.get(events.size() - 2)).startsWith("data: {\"error\":{");
    assertThat(events.get(events.size() - 1)).isEqualTo("data: [DONE]");
  }

  @Test
  void cancelsTheGenerationWhenTheClientDisconnects() throws Exception {
    int cancelledBefore = ScriptedBackend.CANCELLED.get();
    try (Socket socket = openStream(TestServer.ACME_KEY, "acme/chat", "endless")) {
      assertThat(socket.isConnected()).isTrue();
    }

    // Generous: a busy machine may take seconds to notice the closed socket.
    Await.until("the generation is cancelled", Duration.ofSeconds(20),
        () -> ScriptedBackend.CANCELLED.get() > cancelledBefore);
    // Both replicas are free again: two requests at once are served.
    assertThat(send("POST", "/v1/chat/completions", TestServer.ACME_KEY, chatBody("acme/chat", "Hi", false))
        .statusCode()).isEqualTo(200);
  }

  @Test
  void reportsServiceHealthInDetail() throws Exception {
    HttpResponse<String> response = send("GET", "/actuator/health", null, null);

    assertThat(response.body()).contains("\"modelhost\"").contains("acme/chat");
  }

  @Test
  void relaysEmbeddingsToAServiceWhoseBackendServesThem() throws Exception {
    HttpResponse<String> response = send("POST", "/v1/embeddings", TestServer.ACME_KEY,
        "{\"model\":\"acme/chat\",\"input\":\"four words of input\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode answer = Json.mapper().readTree(response.body());
    assertThat(answer.get("model").asString()).isEqualTo("acme/chat");
    assertThat(answer.get("data").get(0).get("embedding").get(0).asDouble()).isEqualTo(19.0);
    assertThat(answer.get("usage").get("prompt_tokens").asInt()).isEqualTo(4);
  }

  @Test
  void refusesPassThroughRequestsLikeOtherRequests() throws Exception {
    HttpResponse<String> unsupported = send("POST", "/v1/images/generations", TestServer.ACME_KEY,
        "{\"model\":\"acme/chat\",\"prompt\":\"a cat\"}");
    HttpResponse<String> othersService = send("POST", "/v1/embeddings", TestServer.ACME_KEY,
        "{\"model\":\"other/secret\",\"input\":\"hi\"}");
    HttpResponse<String> noModel = send("POST", "/v1/embeddings", TestServer.ACME_KEY, "{\"input\":\"hi\"}");
    HttpResponse<String> noKey = send("POST", "/v1/embeddings", null, "{\"model\":\"acme/chat\",\"input\":\"hi\"}");

    assertThat(unsupported.statusCode()).isEqualTo(404);
    assertThat(error(unsupported).param()).isEqualTo("model");
    assertThat(othersService.statusCode()).isEqualTo(404);
    assertThat(error(othersService).code()).isEqualTo("model_not_found");
    assertThat(noModel.statusCode()).isEqualTo(400);
    assertThat(error(noModel).param()).isEqualTo("model");
    assertThat(noKey.statusCode()).isEqualTo(401);
  }
}
