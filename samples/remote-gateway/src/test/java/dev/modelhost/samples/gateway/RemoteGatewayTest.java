package dev.modelhost.samples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.modelhost.ModelHost;
import dev.modelhost.api.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** The gateway application with its own configuration, in front of two stand-in upstreams on loopback. */
class RemoteGatewayTest {

  private static final String GATEWAY_KEY = "mh-gateway-sample-test-key-0001";
  private static final String UPSTREAM_KEY = "mh-upstream-sample-test-key-001";

  private final HttpClient http = HttpClient.newHttpClient();
  private Upstream first;
  private Upstream second;
  private ConfigurableApplicationContext gateway;

  @BeforeEach
  void start() throws IOException {
    first = new Upstream("first");
    second = new Upstream("second");
    gateway = SpringApplication.run(RemoteGateway.class,
        "--server.port=0",
        "--UPSTREAM_URLS=" + first.baseUrl() + "," + second.baseUrl(),
        "--GATEWAY_API_KEY=" + GATEWAY_KEY,
        "--MODELHOST_UPSTREAM_KEY=" + UPSTREAM_KEY);
    // The service is deployed in the background (the remote backend first asks the upstreams for their model).
    gateway.getBean(ModelHost.class).awaitRunning("local/default", Duration.ofSeconds(30));
  }

  @AfterEach
  void stop() {
    gateway.close();
    first.stop();
    second.stop();
  }

  private JsonNode post(String path, String body) throws IOException, InterruptedException {
    int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + GATEWAY_KEY)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Json.mapper().readTree(response.body());
  }

  private String chat() throws IOException, InterruptedException {
    JsonNode answer = post("/v1/chat/completions",
        "{\"model\":\"local/default\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
    assertThat(answer.get("model").asString()).isEqualTo("local/default");
    return answer.get("choices").get(0).get("message").get("content").asString();
  }

  @Test
  void servesTheServiceFromItsUpstreamsWithTheUpstreamKey() throws Exception {
    assertThat(chat()).isIn("from first", "from second");

    List<String> authorizations = new CopyOnWriteArrayList<>(first.authorizations);
    authorizations.addAll(second.authorizations);
    assertThat(authorizations).containsOnly("Bearer " + UPSTREAM_KEY);
  }

  @Test
  void keepsAnsweringFromTheOtherUpstreamWhenOneIsDown() throws Exception {
    first.stop();

    for (int i = 0; i < 3; i++) {
      assertThat(chat()).isEqualTo("from second");
    }
  }

  @Test
  void relaysEmbeddings() throws Exception {
    JsonNode answer = post("/v1/embeddings", "{\"model\":\"local/default\",\"input\":\"Hi\"}");

    assertThat(answer.get("model").asString()).isEqualTo("local/default");
    assertThat(answer.get("data").get(0).get("embedding")).hasSize(2);
  }

  /**
   * A stand-in OpenAI-compatible server: lists one model, streams {@code from NAME} for chats,
   * answers embeddings.
   */
  private static final class Upstream {

    final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final String name;

    Upstream(String name) throws IOException {
      this.name = name;
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/v1/models", exchange -> respond(exchange, "application/json",
          "{\"object\":\"list\",\"data\":[{\"id\":\"local/default\",\"object\":\"model\",\"created\":1,"
              + "\"owned_by\":\"local\"}]}"));
      server.createContext("/v1/chat/completions", this::chat);
      server.createContext("/v1/embeddings", this::embeddings);
      server.start();
    }

    String baseUrl() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    void stop() {
      server.stop(0);
    }

    private void chat(HttpExchange exchange) throws IOException {
      authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
      exchange.getRequestBody().readAllBytes();
      String chunk = "{\"id\":\"up\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up\",\"choices\":";
      String events = "data: " + chunk + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"from " + name
          + "\"},\"finish_reason\":null}]}\n\n"
          + "data: " + chunk + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
          + "data: " + chunk + "[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}\n\n"
          + "data: [DONE]\n\n";
      respond(exchange, "text/event-stream", events);
    }

    private void embeddings(HttpExchange exchange) throws IOException {
      authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
      exchange.getRequestBody().readAllBytes();
      respond(exchange, "application/json", "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
          + "\"embedding\":[0.25,0.5]}],\"model\":\"up\",\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1}}");
    }

    private static void respond(HttpExchange exchange, String contentType, String body) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
