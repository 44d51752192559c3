package dev.modelhost.backend.remote;

import static dev.modelhost.backend.remote.ScriptedUpstream.chatAnswer;
import static dev.modelhost.backend.remote.ScriptedUpstream.chatDelta;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.modelhost.Caller;
import dev.modelhost.ModelHost;
import dev.modelhost.ResponseStream;
import dev.modelhost.ServiceSpec;
import dev.modelhost.api.ChatCompletion;
import dev.modelhost.api.ChatCompletionChunk;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.Json;
import dev.modelhost.api.StreamOptions;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.UpstreamException;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.spi.PassThroughCapable;
import dev.modelhost.spi.UsageRecord;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/** The remote backend behind a real {@link ModelHost}: a service whose replicas are upstream servers. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RemoteServiceTest {

  private static final String SERVICE = "acme/gateway";

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<UsageRecord> usage = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    // The host first, then the upstreams it talks to.
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private ScriptedUpstream upstream() throws IOException {
    ScriptedUpstream upstream = new ScriptedUpstream();
    resources.add(upstream);
    return upstream;
  }

  /** Deploys with the upstream model named (the service's own name unless given). */
  private ModelHost deploy(String location, Map<String, String> options, int replicas) {
    Map<String, String> named = new HashMap<>(options);
    named.putIfAbsent("upstream-model", SERVICE);
    return deployExactly(location, named, replicas);
  }

  private ModelHost deployExactly(String location, Map<String, String> options, int replicas) {
    ModelHost host = ModelHost.builder().usageSink(usage::add).build();
    resources.add(host);
    host.deploy(ServiceSpec.builder("acme", "gateway")
        .backend("remote")
        .source(new ModelSource(location, options))
        .replicas(replicas)
        .build());
    host.awaitRunning(SERVICE, Duration.ofSeconds(10));
    return host;
  }

  private static ChatCompletionRequest.Builder ask(String text) {
    return ChatCompletionRequest.builder(SERVICE).addMessage(ChatMessage.user(text));
  }

  private static String deadUrl() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "http://127.0.0.1:" + socket.getLocalPort() + "/v1";
    }
  }

  @Test
  void answersUnderOurOwnIdAndNameWithUpstreamUsage() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(chatAnswer("Hel", "lo"));
    ModelHost host = deploy(upstream.baseUrl(), Map.of("upstream-model", "llama-3-8b"), 1);

    ChatCompletion answer = host.chat(ask("Hi").build());

    assertThat(answer.model()).isEqualTo(SERVICE);
    assertThat(answer.id()).doesNotContain("up-1");
    assertThat(answer.choices().get(0).message().content()).isEqualTo("Hello");
    assertThat(answer.choices().get(0).finishReason()).isEqualTo("stop");
    assertThat(answer.usage().promptTokens()).isEqualTo(7);
    assertThat(usage).singleElement().satisfies(r -> {
      assertThat(r.outcome()).isEqualTo(UsageRecord.Outcome.COMPLETED);
      assertThat(r.estimated()).isFalse();
      assertThat(r.completionTokens()).isEqualTo(2);
    });
  }

  @Test
  void asksTheUpstreamForItsModelsAndUsesTheOneCalledLikeTheService() throws Exception {
    ScriptedUpstream upstream = upstream()
        .enqueue(e -> e.respond(200, "application/json",
            "{\"object\":\"list\",\"data\":[{\"id\":\"other/model\",\"object\":\"model\"},"
                + "{\"id\":\"" + SERVICE + "\",\"object\":\"model\"}]}"))
        .enqueue(chatAnswer("ok"));
    ModelHost host = deployExactly(upstream.baseUrl(), Map.of(), 1);

    host.chat(ask("Hi").build());

    assertThat(upstream.takeRequest().path()).isEqualTo("/v1/models");
    assertThat(Json.mapper().readTree(upstream.takeRequest().body()).get("model").asString()).isEqualTo(SERVICE);
  }

  @Test
  void failsTheLoadNamingTheUpstreamModelsWhenNoneIsCalledLikeTheService() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> e.respond(200, "application/json",
        "{\"object\":\"list\",\"data\":[{\"id\":\"a/one\"},{\"id\":\"b/two\"}]}"));

    assertThatThrownBy(() -> deployExactly(upstream.baseUrl(), Map.of(), 1))
        .hasMessageContaining("The upstream serves 2 models (a/one, b/two) and none is called '" + SERVICE + "'")
        .hasMessageContaining("upstream-model");
  }

  @Test
  void streamsChunksAndTheUsageChunk() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(chatAnswer("a", "b", "c"));
    ModelHost host = deploy(upstream.baseUrl(), Map.of(), 1);

    StringBuilder text = new StringBuilder();
    ChatCompletionChunk last = null;
    try (ResponseStream<ChatCompletionChunk> stream =
        host.streamChat(ask("Hi").stream(true).streamOptions(StreamOptions.withUsage()).build())) {
      while (stream.hasNext()) {
        last = stream.next();
        for (ChatCompletionChunk.ChunkChoice choice : last.choices()) {
          if (choice.delta().content() != null) {
            text.append(choice.delta().content());
          }
        }
      }
    }

    assertThat(text).hasToString("abc");
    assertThat(last.usage().completionTokens()).isEqualTo(3);
  }

  @Test
  void twoReplicasOverTwoEndpointsServeEveryRequestWhenOneIsDead() throws Exception {
    ScriptedUpstream live = upstream().otherwise(chatAnswer("ok"));
    ModelHost host = deploy(deadUrl() + "," + live.baseUrl(), Map.of("capacity", "1"), 2);

    List<Thread> threads = new ArrayList<>();
    List<String> answers = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 6; i++) {
      Thread t = new Thread(() -> answers.add(host.chat(ask("Hi").build()).choices().get(0).message().content()));
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }

    assertThat(answers).hasSize(6).containsOnly("ok");
    assertThat(live.requestCount()).isEqualTo(6);
  }

  @Test
  void upstreamClientErrorsReachTheCallerWithTheirStatus() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> e.respond(400, "application/json",
        "{\"error\":{\"message\":\"bad tool schema\",\"type\":\"invalid_request_error\",\"param\":\"tools\",\"code\":null}}"));
    ModelHost host = deploy(upstream.baseUrl(), Map.of(), 1);

    UpstreamException e = catchThrowableOfType(UpstreamException.class, () -> host.chat(ask("Hi").build()));

    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(e.param()).isEqualTo("tools");
    assertThat(usage).singleElement().extracting(UsageRecord::outcome).isEqualTo(UsageRecord.Outcome.FAILED);
  }

  @Test
  void aStreamCutByTheUpstreamEndsInAnErrorNotAHang() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> {
      e.startStream(true);
      e.send(chatDelta(0, "Hel"));
      e.drop();
    });
    ModelHost host = deploy(upstream.baseUrl(), Map.of(), 1);

    BackendException e;
    try (ResponseStream<ChatCompletionChunk> stream = host.streamChat(ask("Hi").stream(true).build())) {
      e = catchThrowableOfType(BackendException.class, () -> {
        while (stream.hasNext()) {
          stream.next();
        }
      });
    }

    assertThat(e.httpStatus()).isEqualTo(502);
  }

  @Test
  void relaysEmbeddingsThroughTheHostAndRecordsTheUpstreamPromptTokens() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> e.respond(200, "application/json",
        "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.5]}],"
            + "\"model\":\"bge-small\",\"usage\":{\"prompt_tokens\":4,\"total_tokens\":4}}"));
    ModelHost host = deploy(upstream.baseUrl(), Map.of("upstream-model", "bge-small"), 1);

    JsonNode answer = host.passThrough(PassThroughCapable.Endpoint.EMBEDDINGS,
        Json.mapper().readTree("{\"model\":\"" + SERVICE + "\",\"input\":\"hello there\"}"), new Caller("key-7"));

    assertThat(answer.get("model").asString()).isEqualTo(SERVICE);
    assertThat(Json.mapper().readTree(upstream.takeRequest().body()).get("model").asString()).isEqualTo("bge-small");
    assertThat(usage).singleElement().satisfies(r -> {
      assertThat(r.endpoint()).isEqualTo("embeddings");
      assertThat(r.caller()).isEqualTo("key-7");
      assertThat(r.outcome()).isEqualTo(UsageRecord.Outcome.COMPLETED);
      assertThat(r.promptTokens()).isEqualTo(4);
      assertThat(r.completionTokens()).isZero();
      assertThat(r.estimated()).isFalse();
    });
  }

  @Test
  void recordsAnImageAnswersInputAndOutputTokens() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> e.respond(200, "application/json",
        "{\"created\":1,\"data\":[{\"b64_json\":\"aGk=\"}],"
            + "\"usage\":{\"input_tokens\":9,\"output_tokens\":272,\"total_tokens\":281}}"));
    ModelHost host = deploy(upstream.baseUrl(), Map.of(), 1);

    JsonNode answer = host.passThrough(PassThroughCapable.Endpoint.IMAGES_GENERATIONS,
        Json.mapper().readTree("{\"model\":\"" + SERVICE + "\",\"prompt\":\"a cat\"}"), new Caller("key-7"));

    assertThat(answer.get("data").get(0).get("b64_json").asString()).isEqualTo("aGk=");
    assertThat(usage).singleElement().satisfies(r -> {
      assertThat(r.endpoint()).isEqualTo("images.generations");
      assertThat(r.promptTokens()).isEqualTo(9);
      assertThat(r.completionTokens()).isEqualTo(272);
      assertThat(r.estimated()).isFalse();
    });
  }
}
