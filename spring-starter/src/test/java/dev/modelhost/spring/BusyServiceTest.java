package dev.modelhost.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.modelhost.api.Json;
import dev.modelhost.testing.Await;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** A service whose only replica is held busy: load gauges, keep-alives and clients that leave while queued. */
class BusyServiceTest extends ServerTestBase {

  private static final String SERVICE = "other/secret";

  @Autowired MeterRegistry registry;

  @Test
  void showsBusyReplicasAndQueueDepthAndCancelsAQueuedStreamWhoseClientLeaves() throws Exception {
    double cancelledBefore = cancelledRequests();
    ScriptedBackend.Hold hold = ScriptedBackend.hold();
    CompletableFuture<HttpResponse<String>> holding = holdTheReplica();
    try {
      assertThat(hold.started().await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(gauge("modelhost.replicas.busy")).isEqualTo(1);
      assertThat(gauge("modelhost.requests.in.flight")).isEqualTo(1);
      assertThat(gauge("modelhost.queue.depth")).isZero();

      try (Socket socket = sendStream(chatBody(SERVICE, "Hello", true))) {
        BufferedReader in = reader(socket);
        assertThat(in.readLine()).startsWith("HTTP/1.1 200");
        assertThat(readUntil(in, ": keep-alive")).isTrue();
        assertThat(gauge("modelhost.queue.depth")).isEqualTo(1);
        assertThat(actuatorValue("modelhost.queue.depth")).isEqualTo(1);
        assertThat(actuatorValue("modelhost.replicas.busy")).isEqualTo(1);
      }

      // Within the 30 s queue deadline: the failed keep-alive, not the deadline, ends the request. The
      // wait is generous because a busy machine may take seconds to notice the closed socket.
      Await.until("the queued request is cancelled", Duration.ofSeconds(20),
          () -> cancelledRequests() > cancelledBefore && gauge("modelhost.queue.depth") == 0);
      assertThat(cancelledRequests()).isEqualTo(cancelledBefore + 1);
      assertThat(gauge("modelhost.queue.depth")).isZero();
      assertThat(gauge("modelhost.replicas.busy")).isEqualTo(1);
    } finally {
      hold.release();
    }
    assertThat(holding.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(gauge("modelhost.replicas.busy")).isZero();
    assertThat(gauge("modelhost.requests.in.flight")).isZero();
  }

  @Test
  void streamsNormallyAfterKeepAlivesWhileQueued() throws Exception {
    ScriptedBackend.Hold hold = ScriptedBackend.hold();
    CompletableFuture<HttpResponse<String>> holding = holdTheReplica();
    List<String> events = new ArrayList<>();
    // The replica must be held before the streamed request arrives, so that it waits in the queue.
    assertThat(hold.started().await(10, TimeUnit.SECONDS)).isTrue();
    try (Socket socket = sendStream(chatBody(SERVICE, "Hello", true))) {
      BufferedReader in = reader(socket);
      try {
        assertThat(in.readLine()).startsWith("HTTP/1.1 200");
        assertThat(readUntil(in, ": keep-alive")).isTrue();
      } finally {
        hold.release();
      }
      for (String line = in.readLine(); line != null && !line.equals("data: [DONE]"); line = in.readLine()) {
        if (line.startsWith("data: ")) {
          events.add(line);
        }
      }
    }
    assertThat(holding.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(String.join("", events.stream()
        .map(event -> Json.mapper().readTree(event.substring(6)).path("choices").path(0).path("delta"))
        .map(delta -> delta.path("content").asString(""))
        .toList())).isEqualTo(String.join("", ScriptedBackend.ANSWER));
  }

  @Test
  void theOpenAiSdkSkipsKeepAlives() throws Exception {
    ScriptedBackend.Hold hold = ScriptedBackend.hold();
    OpenAIClient client = client(TestServer.OTHER_KEY);
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model(SERVICE).addUserMessage("hold").build();
    CompletableFuture<String> streamed = CompletableFuture.supplyAsync(() -> {
      try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
        StringBuilder text = new StringBuilder();
        stream.stream().forEach(chunk ->
            chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append)));
        return text.toString();
      }
    });
    try {
      assertThat(hold.started().await(10, TimeUnit.SECONDS)).isTrue();
      // The held replica sends nothing: long enough for the server to send a few keep-alives.
      TimeUnit.MILLISECONDS.sleep(1_500);
    } finally {
      hold.release();
    }
    assertThat(streamed.get(10, TimeUnit.SECONDS)).isEqualTo("held");
  }

  private CompletableFuture<HttpResponse<String>> holdTheReplica() {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return send("POST", "/v1/chat/completions", TestServer.OTHER_KEY, chatBody(SERVICE, "hold", false));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }

  private Socket sendStream(String body) throws Exception {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    OutputStream out = socket.getOutputStream();
    out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: Bearer " + TestServer.OTHER_KEY + "\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
        .getBytes(StandardCharsets.UTF_8));
    out.flush();
    return socket;
  }

  private static BufferedReader reader(Socket socket) throws Exception {
    return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
  }

  private static boolean readUntil(BufferedReader in, String wanted) throws Exception {
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.equals(wanted)) {
        return true;
      }
    }
    return false;
  }

  private double gauge(String name) {
    return registry.get(name).tag("service", SERVICE).gauge().value();
  }

  private double cancelledRequests() {
    var counter = registry.find("modelhost.requests").tags("service", SERVICE, "outcome", "cancelled").counter();
    return counter == null ? 0 : counter.count();
  }

  private double actuatorValue(String name) throws Exception {
    HttpResponse<String> response =
        send("GET", "/actuator/metrics/" + name + "?tag=service:" + SERVICE, TestServer.ADMIN_KEY, null);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode measurement = Json.mapper().readTree(response.body()).path("measurements").path(0);
    assertThat(measurement.path("statistic").asString()).isEqualTo("VALUE");
    return measurement.path("value").asDouble();
  }
}
