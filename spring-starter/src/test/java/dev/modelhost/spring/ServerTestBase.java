package dev.modelhost.spring;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.modelhost.ModelHost;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** One server on a random port shared by the HTTP tests (same configuration, so one context). */
@SpringBootTest(
    classes = TestServer.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "modelhost.services[0].owner=acme",
      "modelhost.services[0].name=chat",
      "modelhost.services[0].backend=scripted",
      "modelhost.services[0].location=scripted-model",
      "modelhost.services[0].replicas=2",
      "modelhost.services[0].billing.type=per_token",
      "modelhost.services[0].billing.prompt-price-per-million=0.5",
      "modelhost.services[0].billing.completion-price-per-million=1.5",
      "modelhost.services[1].owner=other",
      "modelhost.services[1].name=secret",
      "modelhost.services[1].backend=scripted",
      "modelhost.services[1].location=scripted-model",
      "modelhost.services[2].owner=acme",
      "modelhost.services[2].name=tight",
      "modelhost.services[2].backend=scripted",
      "modelhost.services[2].location=scripted-model",
      "modelhost.services[2].queue-capacity=0",
      "modelhost.limits.max-body-size=64KB",
      "modelhost.limits.max-concurrent-requests-per-key=3",
      "management.endpoints.web.exposure.include=health,metrics",
      "management.endpoint.health.show-details=always"
    })
abstract class ServerTestBase {

  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @LocalServerPort int port;

  @Autowired ModelHost host;

  @Autowired ApiKeys keys;

  @BeforeEach
  void servicesAreRunning() {
    host.awaitRunning("acme/chat", Duration.ofSeconds(30));
    host.awaitRunning("acme/tight", Duration.ofSeconds(30));
    host.awaitRunning("other/secret", Duration.ofSeconds(30));
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  OpenAIClient client(String key) {
    return OpenAIOkHttpClient.builder().baseUrl(baseUrl() + "/v1").apiKey(key).maxRetries(0).build();
  }

  HttpResponse<String> send(String method, String path, @Nullable String key, @Nullable String json)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends a streamed chat on a raw socket and reads up to its first event; closing the socket disconnects. */
  Socket openStream(String key, String model, String prompt) throws IOException {
    String body = chatBody(model, prompt, true);
    Socket socket = new Socket("127.0.0.1", port);
    OutputStream out = socket.getOutputStream();
    out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: Bearer " + key + "\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
        .getBytes(StandardCharsets.UTF_8));
    out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    String line = in.readLine();
    if (line == null || !line.startsWith("HTTP/1.1 200")) {
      socket.close();
      throw new IOException("Stream did not start: " + line);
    }
    while (line != null && !line.startsWith("data: ")) {
      line = in.readLine();
    }
    return socket;
  }

  static String chatBody(String model, String prompt, boolean stream) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
  }
}
