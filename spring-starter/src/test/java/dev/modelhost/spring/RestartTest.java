package dev.modelhost.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.ModelHost;
import dev.modelhost.api.Json;
import dev.modelhost.spring.internal.store.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** A server stopped and started again on the same database has its services, keys and ledger back. */
class RestartTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void bringsBackServicesReplicaCountsKeysAndTheLedger(TestDatabases.Kind kind) throws Exception {
    String url = TestDatabases.url(kind, dir);
    String ownerKey;
    String ownerKeyId;
    String configuredKeyId;
    JsonNode usageBefore;
    try (ConfigurableApplicationContext server = start(url)) {
      Client admin = new Client(server, TestServer.ADMIN_KEY);
      admin.expect(201, "POST", "/admin/services",
          "{\"owner\":\"acme\",\"name\":\"made\",\"backend\":\"scripted\",\"location\":\"m\",\"replicas\":1}");
      server.getBean(ModelHost.class).awaitRunning("acme/made", Duration.ofSeconds(30));
      admin.expect(200, "POST", "/admin/services/acme/made/scale", "{\"replicas\":2}");
      admin.expect(200, "POST", "/admin/services/acme/chat/scale", "{\"replicas\":3}");
      JsonNode created = admin.expect(201, "POST", "/admin/keys", "{\"owner\":\"acme\"}");
      ownerKey = created.get("key").asString();
      ownerKeyId = created.get("id").asString();
      configuredKeyId = server.getBean(ApiKeys.class).authenticate(TestServer.ACME_KEY).orElseThrow().id();
      admin.expect(200, "DELETE", "/admin/keys/" + configuredKeyId, null);

      Client owner = new Client(server, ownerKey);
      owner.expect(200, "POST", "/v1/chat/completions", chat("acme/made"));
      owner.expect(200, "POST", "/v1/chat/completions", chat("acme/chat"));
      // A service deleted and made again under the same name is a new instance on the ledger.
      for (int round = 0; round < 2; round++) {
        admin.expect(201, "POST", "/admin/services",
            "{\"owner\":\"acme\",\"name\":\"again\",\"backend\":\"scripted\",\"location\":\"m\"}");
        server.getBean(ModelHost.class).awaitRunning("acme/again", Duration.ofSeconds(30));
        owner.expect(200, "POST", "/v1/chat/completions", chat("acme/again"));
        admin.expect(200, "DELETE", "/admin/services/acme/again?confirm=again", null);
      }
      usageBefore = admin.expect(200, "GET", "/admin/usage?key_id=" + ownerKeyId + "&group_by=service", null);
    }

    try (ConfigurableApplicationContext server = start(url)) {
      ModelHost host = server.getBean(ModelHost.class);
      assertThat(host.awaitRunning("acme/made", Duration.ofSeconds(30)).replicas()).isEqualTo(2);
      assertThat(host.awaitRunning("acme/chat", Duration.ofSeconds(30)).replicas()).isEqualTo(3);
      assertThat(host.services()).extracting(service -> service.accessPath()).doesNotContain("acme/again");

      Client admin = new Client(server, TestServer.ADMIN_KEY);
      assertThat(admin.expect(200, "GET", "/admin/usage?key_id=" + ownerKeyId + "&group_by=service", null).get("data"))
          .isEqualTo(usageBefore.get("data"));
      JsonNode records = admin.expect(200, "GET", "/admin/usage/records?service=acme/again&key_id=" + ownerKeyId, null);
      Set<String> instances = new HashSet<>();
      records.get("data").forEach(record -> instances.add(record.get("service_instance_id").asString()));
      assertThat(instances).hasSize(2);

      new Client(server, ownerKey).expect(200, "POST", "/v1/chat/completions", chat("acme/made"));
      new Client(server, TestServer.ACME_KEY).expect(401, "POST", "/v1/chat/completions", chat("acme/chat"));
      assertThat(server.getBean(ApiKeys.class).find(configuredKeyId))
          .hasValueSatisfying(key -> assertThat(key.revoked()).isNotNull());
      assertThat(admin.expect(200, "GET", "/admin/usage?key_id=" + ownerKeyId + "&group_by=key", null)
          .at("/data/0/requests").asLong()).isEqualTo(5);
    }
  }

  private static ConfigurableApplicationContext start(String url) {
    return new SpringApplicationBuilder(TestServer.class).properties(
            "server.port=0",
            "server.address=127.0.0.1",
            "modelhost.store.url=" + url,
            "modelhost.services[0].owner=acme",
            "modelhost.services[0].name=chat",
            "modelhost.services[0].backend=scripted",
            "modelhost.services[0].location=scripted-model",
            "modelhost.services[0].billing.type=per_token",
            "modelhost.services[0].billing.completion-price-per-million=2")
        .run();
  }

  private static String chat(String model) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
  }

  private record Client(ConfigurableApplicationContext server, String key) {

    JsonNode expect(int status, String method, String path, @Nullable String json) throws Exception {
      int port = ((WebServerApplicationContext) server).getWebServer().getPort();
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(30))
          .header("Authorization", "Bearer " + key)
          .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
      if (json != null) {
        request.header("Content-Type", "application/json");
      }
      HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(status);
      return Json.mapper().readTree(response.body());
    }
  }
}
