package dev.modelhost.samples.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.defaultmodel.DefaultModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The server keeps its services, keys and usage in its data directory (H2) across a restart. */
class ServerStoreTest {

  private static final String ADMIN_KEY = "mh-store-test-admin-key-0001";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path data;

  @Test
  void keepsKeysMadeThroughTheApiAndTheLedgerAcrossARestart() throws Exception {
    String key;
    String usage;
    try (ConfigurableApplicationContext server = start()) {
      HttpResponse<String> created = send(server, "POST", "/admin/keys", ADMIN_KEY, "{\"owner\":\"test\"}");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      key = created.body().replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
      assertThat(send(server, "POST", "/v1/chat/completions", key,
          "{\"model\":\"test/tiny\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
          .statusCode()).isEqualTo(200);
      usage = send(server, "GET", "/admin/usage?group_by=service", ADMIN_KEY, null).body();
      assertThat(usage).contains("\"requests\":1");
    }

    try (ConfigurableApplicationContext server = start()) {
      assertThat(send(server, "GET", "/v1/models", key, null).statusCode()).isEqualTo(200);
      assertThat(send(server, "GET", "/admin/usage?group_by=service", ADMIN_KEY, null).body()).isEqualTo(usage);
    }
  }

  private ConfigurableApplicationContext start() {
    return ModelhostServer.start(
        "--port=0",
        "--model=" + DefaultModel.TINY_RANDOM.directory(),
        "--service=test/tiny",
        "--modelhost.store.type=jdbc",
        "--modelhost.store.data-dir=" + data,
        "--MODELHOST_ADMIN_KEY=" + ADMIN_KEY);
  }

  private static HttpResponse<String> send(ConfigurableApplicationContext server, String method, String path,
      String key, @Nullable String json) throws Exception {
    int port = ((WebServerApplicationContext) server).getWebServer().getPort();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + key)
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
