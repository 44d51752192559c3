package dev.modelhost.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.modelhost.api.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The management API with the admin key. */
class AdminApiTest extends ServerTestBase {

  private JsonNode json(HttpResponse<String> response) {
    return Json.mapper().readTree(response.body());
  }

  @Test
  void createsDescribesScalesAndDeletesAService() throws Exception {
    HttpResponse<String> created = send("POST", "/admin/services", TestServer.ADMIN_KEY,
        "{\"owner\":\"team-a\",\"name\":\"lab\",\"backend\":\"scripted\",\"location\":\"scripted-model\","
            + "\"billing\":{\"type\":\"per_token\",\"prompt_price_per_million\":0.5,"
            + "\"completion_price_per_million\":1.5,\"currency\":\"EUR\"}}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    // The scripted model loads at once, so the service may be running by the time it is described.
    assertThat(json(created).get("status").asString()).isIn("creating", "running");
    host.awaitRunning("team-a/lab", Duration.ofSeconds(30));

    JsonNode described = json(send("GET", "/admin/services/team-a/lab", TestServer.ADMIN_KEY, null));
    assertThat(described.get("access_path").asString()).isEqualTo("team-a/lab");
    assertThat(described.get("status").asString()).isEqualTo("running");
    assertThat(described.get("model_type").asString()).isEqualTo("scripted");
    assertThat(described.get("billing").get("type").asString()).isEqualTo("per_token");
    assertThat(described.get("billing").get("currency").asString()).isEqualTo("EUR");
    assertThat(described.get("authorization").get("type").asString()).isEqualTo("bearer");
    assertThat(described.get("examples").get("curl").asString())
        .contains(baseUrl() + "/v1/chat/completions").contains("\"model\": \"team-a/lab\"");
    assertThat(described.get("examples").get("python").asString())
        .contains("base_url=\"" + baseUrl() + "/v1/\"").contains("model=\"team-a/lab\"");
    assertThat(described.get("examples").get("node").asString())
        .contains("baseURL: '" + baseUrl() + "/v1'").contains("model: 'team-a/lab'");

    HttpResponse<String> scaled =
        send("POST", "/admin/services/team-a/lab/scale", TestServer.ADMIN_KEY, "{\"replicas\":2}");
    assertThat(scaled.statusCode()).isEqualTo(200);
    assertThat(json(scaled).get("replicas").asInt()).isEqualTo(2);

    assertThat(json(send("GET", "/admin/services", TestServer.ADMIN_KEY, null)).get("data").toString())
        .contains("team-a/lab");

    HttpResponse<String> wrongConfirm =
        send("DELETE", "/admin/services/team-a/lab?confirm=other", TestServer.ADMIN_KEY, null);
    assertThat(wrongConfirm.statusCode()).isEqualTo(400);
    HttpResponse<String> noConfirm = send("DELETE", "/admin/services/team-a/lab", TestServer.ADMIN_KEY, null);
    assertThat(noConfirm.statusCode()).isEqualTo(400);

    HttpResponse<String> deleted =
        send("DELETE", "/admin/services/team-a/lab?confirm=lab", TestServer.ADMIN_KEY, null);
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(json(deleted).get("deleted").asBoolean()).isTrue();
    assertThat(send("POST", "/v1/chat/completions", TestServer.ADMIN_KEY, chatBody("team-a/lab", "Hi", false))
        .statusCode()).isEqualTo(404);
    assertThat(send("GET", "/admin/services/team-a/lab", TestServer.ADMIN_KEY, null).statusCode()).isEqualTo(404);
  }

  @Test
  void rejectsAnInvalidServiceWith400() throws Exception {
    HttpResponse<String> badName = send("POST", "/admin/services", TestServer.ADMIN_KEY,
        "{\"owner\":\"Team A\",\"name\":\"lab\",\"backend\":\"scripted\",\"location\":\"x\"}");
    assertThat(badName.statusCode()).isEqualTo(400);
    assertThat(json(badName).get("error").get("param").asString()).isEqualTo("owner");

    HttpResponse<String> noLocation = send("POST", "/admin/services", TestServer.ADMIN_KEY,
        "{\"owner\":\"team-a\",\"name\":\"lab2\",\"backend\":\"scripted\"}");
    assertThat(noLocation.statusCode()).isEqualTo(400);

    HttpResponse<String> typo = send("POST", "/admin/services", TestServer.ADMIN_KEY,
        "{\"owner\":\"team-a\",\"name\":\"lab3\",\"backend\":\"scripted\",\"location\":\"x\",\"replica\":2}");
    assertThat(typo.statusCode()).isEqualTo(400);
    assertThat(json(typo).get("error").get("message").asString()).contains("replica");

    HttpResponse<String> badReplicas =
        send("POST", "/admin/services/acme/chat/scale", TestServer.ADMIN_KEY, "{\"replicas\":-1}");
    assertThat(badReplicas.statusCode()).isEqualTo(400);

    HttpResponse<String> nullOption = send("POST", "/admin/services", TestServer.ADMIN_KEY,
        "{\"owner\":\"team-a\",\"name\":\"lab4\",\"backend\":\"scripted\",\"location\":\"x\",\"options\":{\"k\":null}}");
    assertThat(nullOption.statusCode()).isEqualTo(400);
    assertThat(json(nullOption).get("error").get("param").asString()).isEqualTo("options.k");
  }

  @Test
  void createsAKeyShownOnceListsItMaskedAndRevokesIt() throws Exception {
    HttpResponse<String> created = send("POST", "/admin/keys", TestServer.ADMIN_KEY, "{\"owner\":\"acme\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    String key = json(created).get("key").asString();
    String id = json(created).get("id").asString();
    assertThat(key).startsWith("mh-");

    var params = ChatCompletionCreateParams.builder().model("acme/chat").addUserMessage("Hi").build();
    assertThat(client(key).chat().completions().create(params).choices()).hasSize(1);

    String listed = send("GET", "/admin/keys", TestServer.ADMIN_KEY, null).body();
    assertThat(listed).contains(id).doesNotContain(key).doesNotContain(TestServer.ACME_KEY);

    assertThat(send("DELETE", "/admin/keys/" + id, TestServer.ADMIN_KEY, null).statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> client(key).chat().completions().create(params))
        .isInstanceOf(UnauthorizedException.class);
    assertThat(send("DELETE", "/admin/keys/" + id, TestServer.ADMIN_KEY, null).statusCode()).isEqualTo(404);
  }

  @Test
  void sumsTokensPerKeyAndService() throws Exception {
    HttpResponse<String> created = send("POST", "/admin/keys", TestServer.ADMIN_KEY, "{\"owner\":\"other\"}");
    String key = json(created).get("key").asString();
    String id = json(created).get("id").asString();
    var params = ChatCompletionCreateParams.builder().model("other/secret").addUserMessage("two words").build();
    client(key).chat().completions().create(params);
    client(key).chat().completions().create(params);

    JsonNode usage = json(send("GET", "/admin/usage?owner=other&service=other/secret", TestServer.ADMIN_KEY, null));
    JsonNode row = null;
    for (JsonNode candidate : usage.get("data")) {
      if (candidate.get("key_id").asString().equals(id)) {
        row = candidate;
      }
    }
    assertThat(row).isNotNull();
    assertThat(row.get("requests").asLong()).isEqualTo(2);
    assertThat(row.get("prompt_tokens").asLong()).isEqualTo(4);
    assertThat(row.get("completion_tokens").asLong()).isEqualTo(8);
    assertThat(row.get("total_tokens").asLong()).isEqualTo(12);
    assertThat(usage.get("data").toString()).doesNotContain("acme/");
  }

  @Test
  void refusesKeysForInvalidOwners() throws Exception {
    HttpResponse<String> response = send("POST", "/admin/keys", TestServer.ADMIN_KEY, "{\"owner\":\"../root\"}");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).get("error").get("param").asString()).isEqualTo("owner");
  }
}
