package dev.modelhost.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.api.Json;
import dev.modelhost.spring.internal.LedgerWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The server on its default durable store (H2 in a data directory): the ledger, quotas and keys over HTTP. */
@SpringBootTest(
    classes = TestServer.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "server.address=127.0.0.1",
      "server.tomcat.threads.max=250",
      "modelhost.store.type=jdbc",
      "modelhost.services[0].owner=acme",
      "modelhost.services[0].name=chat",
      "modelhost.services[0].backend=scripted",
      "modelhost.services[0].location=scripted-model",
      "modelhost.services[0].replicas=8",
      "modelhost.services[0].queue-capacity=512",
      "modelhost.services[0].billing.type=per_token",
      "modelhost.services[0].billing.prompt-price-per-million=0.5",
      "modelhost.services[0].billing.completion-price-per-million=1.5",
      "modelhost.services[1].owner=acme",
      "modelhost.services[1].name=priced",
      "modelhost.services[1].backend=scripted",
      "modelhost.services[1].location=scripted-model",
      "modelhost.services[1].replicas=8",
      "modelhost.services[1].queue-capacity=512",
      "modelhost.services[1].billing.type=per_token",
      "modelhost.services[1].billing.completion-price-per-million=1",
    })
class StoreServerTest {

  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @DynamicPropertySource
  static void dataDir(DynamicPropertyRegistry registry) throws IOException {
    Path dir = Files.createTempDirectory("modelhost-store-test");
    registry.add("modelhost.store.data-dir", dir::toString);
  }

  @LocalServerPort int port;

  @Autowired dev.modelhost.ModelHost host;

  @Autowired LedgerWriter ledgerWriter;

  @BeforeEach
  void servicesAreRunning() {
    host.awaitRunning("acme/chat", Duration.ofSeconds(30));
    host.awaitRunning("acme/priced", Duration.ofSeconds(30));
  }

  @Test
  void writesExactlyOneRecordPerStreamedRequestThoughClientsLeave() throws Exception {
    JsonNode created = createKey("{\"owner\":\"acme\"}");
    String key = created.get("key").asString();
    String keyId = created.get("id").asString();
    int requests = 2000;
    Set<String> completedIds = ConcurrentHashMap.newKeySet();
    AtomicInteger left = new AtomicInteger();
    ExecutorService clients = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        boolean leaves = ThreadLocalRandom.current().nextInt(100) < 30;
        done.add(clients.submit(() -> {
          if (leaves) {
            streamAndLeave(key, "acme/chat", "endless");
            left.incrementAndGet();
          } else {
            completedIds.add(streamToTheEnd(key, "acme/chat", "Say this is a test"));
          }
          return null;
        }));
      }
      for (Future<?> future : done) {
        future.get();
      }
    } finally {
      clients.shutdownNow();
    }

    List<JsonNode> records = allRecords(keyId, requests);
    Set<String> ids = new HashSet<>();
    long prompt = 0;
    long completion = 0;
    BigDecimal cost = BigDecimal.ZERO;
    int cancelled = 0;
    for (JsonNode record : records) {
      ids.add(record.get("id").asString());
      prompt += record.get("prompt_tokens").asLong();
      completion += record.get("completion_tokens").asLong();
      cost = cost.add(new BigDecimal(record.get("cost").asString()));
      if (record.get("finish_reason").asString().equals("cancelled")) {
        cancelled++;
      }
    }
    assertThat(records).hasSize(requests);
    assertThat(ids).hasSize(requests).containsAll(completedIds);
    assertThat(cancelled).isEqualTo(left.get());

    JsonNode total = get("/admin/usage?key_id=" + keyId + "&group_by=key").get("data").get(0);
    assertThat(total.get("requests").asLong()).isEqualTo(requests);
    assertThat(total.get("cancelled_requests").asLong()).isEqualTo(left.get());
    assertThat(total.get("prompt_tokens").asLong()).isEqualTo(prompt);
    assertThat(total.get("completion_tokens").asLong()).isEqualTo(completion);
    assertThat(new BigDecimal(total.get("cost").asString())).isEqualByComparingTo(cost);
  }

  @Test
  void keepsTwoHundredSimultaneousRequestsWithinABudgetForFifty() throws Exception {
    // acme/priced charges 1 per million completion tokens; each answer has 4: a budget of 50 answers.
    JsonNode created = createKey("{\"owner\":\"acme\",\"quota\":{\"budget\":0.0002,\"budget_period\":\"total\"}}");
    String key = created.get("key").asString();
    String keyId = created.get("id").asString();
    String body = "{\"model\":\"acme/priced\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      answers.add(HTTP.sendAsync(post("/v1/chat/completions", key, body), HttpResponse.BodyHandlers.ofString()));
    }
    int served = 0;
    int busy = 0;
    for (CompletableFuture<HttpResponse<String>> answer : answers) {
      HttpResponse<String> response = answer.get();
      if (response.statusCode() == 200) {
        served++;
      } else {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        if (code(response).equals("rate_limit_exceeded")) {
          busy++;
        } else {
          assertThat(code(response)).isEqualTo("insufficient_quota");
        }
      }
    }
    assertThat(served).isLessThanOrEqualTo(50);
    // Those refused while the budget was reserved by requests in flight are served when retried, up to the budget.
    for (int retry = 0; retry < busy; retry++) {
      HttpResponse<String> response = HTTP.send(post("/v1/chat/completions", key, body),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        served++;
      } else {
        assertThat(code(response)).isEqualTo("insufficient_quota");
      }
    }

    assertThat(served).isEqualTo(50);
    JsonNode total = get("/admin/usage?key_id=" + keyId + "&group_by=key").get("data").get(0);
    assertThat(new BigDecimal(total.get("cost").asString())).isEqualByComparingTo("0.0002");
  }

  @Test
  void refusesRequestsOverTheKeysRateWithRetryAfter() throws Exception {
    String key = createKey("{\"owner\":\"acme\",\"quota\":{\"requests_per_minute\":2}}").get("key").asString();
    String body = "{\"model\":\"acme/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    assertThat(HTTP.send(post("/v1/chat/completions", key, body), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(200);
    assertThat(HTTP.send(post("/v1/chat/completions", key, body), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(200);
    HttpResponse<String> third = HTTP.send(post("/v1/chat/completions", key, body), HttpResponse.BodyHandlers.ofString());

    assertThat(third.statusCode()).isEqualTo(429);
    assertThat(Json.mapper().readTree(third.body()).at("/error/code").asString()).isEqualTo("rate_limit_exceeded");
    assertThat(Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
  }

  @Test
  void endsTheStreamsOfARevokedKeyWithAnErrorEvent() throws Exception {
    JsonNode created = createKey("{\"owner\":\"acme\"}");
    String key = created.get("key").asString();
    try (OpenStream stream = openStream(key, "acme/chat", "endless")) {
      BufferedReader in = stream.in();
      assertThat(send("DELETE", "/admin/keys/" + created.get("id").asString(), TestServer.ADMIN_KEY, null).statusCode())
          .isEqualTo(200);

      String errorEvent = null;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("data: {\"error\"")) {
          errorEvent = line;
          break;
        }
      }
      assertThat(errorEvent).contains("revoked");
    }
  }

  @Test
  void answersTotalsPagesAndCsvForAWindow() throws Exception {
    JsonNode created = createKey("{\"owner\":\"acme\"}");
    String key = created.get("key").asString();
    String keyId = created.get("id").asString();
    long from = System.currentTimeMillis() / 1000;
    for (int i = 0; i < 3; i++) {
      streamToTheEnd(key, "acme/chat", "two words");
    }
    long to = System.currentTimeMillis() / 1000 + 1;

    JsonNode totals = get("/admin/usage?from=" + from + "&to=" + to + "&key_id=" + keyId + "&group_by=owner,key,service");
    assertThat(totals.get("group_by").toString()).isEqualTo("[\"owner\",\"key\",\"service\"]");
    JsonNode row = totals.get("data").get(0);
    assertThat(row.get("owner").asString()).isEqualTo("acme");
    assertThat(row.get("service").asString()).isEqualTo("acme/chat");
    assertThat(row.get("requests").asLong()).isEqualTo(3);
    // Each request: 2 prompt tokens at 0.5 and 4 completion tokens at 1.5 per million.
    assertThat(new BigDecimal(row.get("cost").asString())).isEqualByComparingTo("0.000021");
    assertThat(row.get("currency").asString()).isEqualTo("USD");
    assertThat(get("/admin/usage?from=" + to + "&key_id=" + keyId).get("data")).isEmpty();

    JsonNode page = get("/admin/usage/records?key_id=" + keyId + "&limit=2");
    assertThat(page.get("data")).hasSize(2);
    assertThat(page.get("has_more").asBoolean()).isTrue();
    JsonNode rest = get("/admin/usage/records?key_id=" + keyId + "&limit=2&after=" + page.get("last_id").asString());
    assertThat(rest.get("data")).hasSize(1);
    assertThat(rest.get("has_more").asBoolean()).isFalse();
    assertThat(rest.get("data").get(0).get("service_instance_id").asString()).startsWith("svc-");

    HttpResponse<String> csv = send("GET", "/admin/usage/records?format=csv&key_id=" + keyId, TestServer.ADMIN_KEY, null);
    assertThat(csv.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
    List<String> lines = csv.body().lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).startsWith("id,key_id,owner,service,service_instance_id");
    assertThat(lines.get(1)).contains("," + keyId + ",acme,acme/chat,").contains(",stop,2,4,false,");

    for (String bad : List.of("group_by=model", "from=yesterday", "limit=0", "colour=red")) {
      HttpResponse<String> refused = send("GET", "/admin/usage/records?" + bad, TestServer.ADMIN_KEY, null);
      if (bad.startsWith("group_by")) {
        refused = send("GET", "/admin/usage?" + bad, TestServer.ADMIN_KEY, null);
      }
      assertThat(refused.statusCode()).as(bad).isEqualTo(400);
      assertThat(Json.mapper().readTree(refused.body()).at("/error/param").asString()).as(bad)
          .isEqualTo(bad.substring(0, bad.indexOf('=')));
    }
  }

  private static String code(HttpResponse<String> response) {
    return Json.mapper().readTree(response.body()).at("/error/code").asString();
  }

  private List<JsonNode> allRecords(String keyId, int expected) throws Exception {
    assertThat(ledgerWriter.awaitWritten(Duration.ofSeconds(30))).isTrue();
    List<JsonNode> records = new ArrayList<>();
    String after = null;
    while (true) {
      JsonNode page = get("/admin/usage/records?limit=1000&key_id=" + keyId + (after == null ? "" : "&after=" + after));
      page.get("data").forEach(records::add);
      if (!page.get("has_more").asBoolean()) {
        break;
      }
      after = page.get("last_id").asString();
    }
    return records;
  }

  private JsonNode createKey(String body) throws Exception {
    HttpResponse<String> response = send("POST", "/admin/keys", TestServer.ADMIN_KEY, body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return Json.mapper().readTree(response.body());
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> response = send("GET", path, TestServer.ADMIN_KEY, null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Json.mapper().readTree(response.body());
  }

  /** Streams a chat to its {@code [DONE]} and returns the response id. */
  private String streamToTheEnd(String key, String model, String prompt) throws Exception {
    HttpResponse<String> response = HTTP.send(post("/v1/chat/completions", key,
        ServerTestBase.chatBody(model, prompt, true)), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).endsWith("data: [DONE]\n\n");
    String first = response.body().lines().filter(line -> line.startsWith("data: {")).findFirst().orElseThrow();
    return Json.mapper().readTree(first.substring(6)).get("id").asString();
  }

  private void streamAndLeave(String key, String model, String prompt) throws IOException {
    try (OpenStream stream = openStream(key, model, prompt)) {
      assertThat(stream.in()).isNotNull();
    }
  }

  /** A streamed response on a raw socket; closing it disconnects. */
  private record OpenStream(Socket socket, BufferedReader in) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** A streamed chat on a raw socket, read up to its first event. */
  private OpenStream openStream(String key, String model, String prompt) throws IOException {
    String body = ServerTestBase.chatBody(model, prompt, true);
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    OutputStream out = socket.getOutputStream();
    out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
        + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
    out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    String status = in.readLine();
    if (status == null || !status.startsWith("HTTP/1.1 200")) {
      socket.close();
      throw new IOException("Stream did not start: " + status);
    }
    for (String line = in.readLine(); line != null && !line.startsWith("data: "); line = in.readLine()) {
      // headers and keep-alive comments
    }
    return new OpenStream(socket, in);
  }

  private HttpRequest post(String path, String key, String json) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + key)
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  private HttpResponse<String> send(String method, String path, String key, @Nullable String json)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key)
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
