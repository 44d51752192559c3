package dev.modelhost.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * SIGKILL under load, then a restart on the same data directory: every acknowledged request (its
 * whole response reached the client) is on the ledger exactly once, whether its record had reached
 * the database or only the usage journal when the process died.
 */
class KillTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final int ACKNOWLEDGED_BEFORE_KILL = 300;

  @TempDir Path dir;

  @Test
  void losesAndDoublesNoAcknowledgedRecord() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Process server = startServer(data, dir.resolve("first.log"));
    try {
      int port = awaitPort(server, dir.resolve("first.log"));
      ExecutorService clients = Executors.newFixedThreadPool(8);
      for (int i = 0; i < 8; i++) {
        clients.submit(() -> {
          while (!Thread.currentThread().isInterrupted()) {
            try {
              HttpResponse<String> response = HTTP.send(chat(port), HttpResponse.BodyHandlers.ofString());
              if (response.statusCode() == 200) {
                acknowledged.add(Json.mapper().readTree(response.body()).get("id").asString());
              }
            } catch (IOException e) {
              return;
            } catch (InterruptedException e) {
              return;
            }
          }
        });
      }
      while (acknowledged.size() < ACKNOWLEDGED_BEFORE_KILL && server.isAlive()) {
        Thread.sleep(20);
      }
      server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      clients.shutdownNow();
      assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      server.destroyForcibly();
    }
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(ACKNOWLEDGED_BEFORE_KILL);
    // The embedded store acknowledges a response once its record is in the usage journal.
    assertThat(data.resolve("usage-journal")).isDirectory();

    Process restarted = startServer(data, dir.resolve("second.log"));
    try {
      int port = awaitPort(restarted, dir.resolve("second.log"));
      Map<String, Integer> onLedger = new HashMap<>();
      String after = null;
      while (true) {
        JsonNode page = admin(port, "/admin/usage/records?limit=1000" + (after == null ? "" : "&after=" + after));
        page.get("data").forEach(record -> onLedger.merge(record.get("id").asString(), 1, Integer::sum));
        if (!page.get("has_more").asBoolean()) {
          break;
        }
        after = page.get("last_id").asString();
      }
      List<String> missingOrDoubled = new ArrayList<>();
      for (String id : acknowledged) {
        if (onLedger.getOrDefault(id, 0) != 1) {
          missingOrDoubled.add(id + " x" + onLedger.getOrDefault(id, 0));
        }
      }
      assertThat(missingOrDoubled).isEmpty();
      assertThat(onLedger.values()).allMatch(count -> count == 1);
    } finally {
      restarted.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static Process startServer(Path data, Path log) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new ProcessBuilder(java.toString(), "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        KilledServerMain.class.getName(), data.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static int awaitPort(Process server, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)) {
        for (String line : Files.readAllLines(log)) {
          if (line.startsWith("PORT=")) {
            return Integer.parseInt(line.substring(5).trim());
          }
        }
      }
      if (!server.isAlive()) {
        throw new IllegalStateException("The server exited:\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("The server did not start:\n" + Files.readString(log));
  }

  private static HttpRequest chat(int port) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + TestServer.ACME_KEY)
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"acme/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
        .build();
  }

  private static JsonNode admin(int port, String path) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + TestServer.ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Json.mapper().readTree(response.body());
  }
}
