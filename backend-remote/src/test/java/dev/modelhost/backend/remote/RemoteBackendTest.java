package dev.modelhost.backend.remote;

import static dev.modelhost.backend.remote.ScriptedUpstream.chatAnswer;
import static dev.modelhost.backend.remote.ScriptedUpstream.chatDelta;
import static dev.modelhost.backend.remote.ScriptedUpstream.chatFinish;
import static dev.modelhost.backend.remote.ScriptedUpstream.chatRole;
import static dev.modelhost.backend.remote.ScriptedUpstream.done;
import static dev.modelhost.backend.remote.ScriptedUpstream.event;
import static dev.modelhost.backend.remote.ScriptedUpstream.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.api.Json;
import dev.modelhost.api.ToolCall;
import dev.modelhost.api.Usage;
import dev.modelhost.exception.BackendException;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.exception.ModelhostException;
import dev.modelhost.exception.OverloadedException;
import dev.modelhost.exception.RequestCancelledException;
import dev.modelhost.exception.UpstreamException;
import dev.modelhost.spi.BackendProvider;
import dev.modelhost.spi.Cancellation;
import dev.modelhost.spi.ChoiceDelta;
import dev.modelhost.spi.InferenceRequest;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.spi.PassThroughCapable;
import dev.modelhost.spi.Replica;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

// A guard against hangs, which are themselves failures here: every test ends in well under it.
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RemoteBackendTest {

  static final String SERVICE = "acme/chat";
  static final String KEY = "sk-upstream-secret-0123456789";

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable resource : resources) {
      resource.close();
    }
  }

  private ScriptedUpstream upstream() throws IOException {
    ScriptedUpstream upstream = new ScriptedUpstream();
    resources.add(upstream);
    return upstream;
  }

  static BackendProvider provider() {
    return ServiceLoader.load(BackendProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals("remote"))
        .findFirst()
        .orElseThrow();
  }

  /** Loads with the upstream model named (the service's own name unless given). */
  private ModelRuntime load(String location, String... options) {
    Map<String, String> map = new HashMap<>();
    map.put("upstream-model", SERVICE);
    for (int i = 0; i < options.length; i += 2) {
      map.put(options[i], options[i + 1]);
    }
    return loadExactly(location, map);
  }

  private ModelRuntime loadExactly(String location, Map<String, String> options) {
    ModelRuntime runtime = provider().load(new ModelSource(location, options));
    resources.add(runtime);
    return runtime;
  }

  private Replica replica(String location, String... options) {
    return load(location, options).createReplica(0);
  }

  static InferenceRequest.Chat chat(String text) {
    return chat(ChatCompletionRequest.builder(SERVICE).addMessage(ChatMessage.user(text)).build());
  }

  static InferenceRequest.Chat chat(ChatCompletionRequest request) {
    return new InferenceRequest.Chat("chatcmpl-1", request, new Cancellation());
  }

  static String deadUrl() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "http://127.0.0.1:" + socket.getLocalPort() + "/v1";
    }
  }

  // ---- Relaying -------------------------------------------------------------------------------

  @Test
  void relaysStreamedChatAsDeltasWithUpstreamUsage() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(chatAnswer("Hel", "lo"));
    RecordingListener listener = new RecordingListener();

    replica(upstream.baseUrl(), "api-key", KEY, "upstream-model", "llama-3-8b").execute(chat("Hi"), listener);

    assertThat(listener.text(0)).isEqualTo("Hello");
    assertThat(listener.finishReason(0)).isEqualTo("stop");
    assertThat(listener.usages).containsExactly(new RecordingListener.UsageReport(Usage.of(7, 2), false));
    ScriptedUpstream.Recorded request = upstream.takeRequest();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/v1/chat/completions");
    assertThat(request.headers()).containsEntry("authorization", "Bearer " + KEY);
    JsonNode body = Json.mapper().readTree(request.body());
    assertThat(body.get("model").asString()).isEqualTo("llama-3-8b");
    assertThat(body.get("stream").asBoolean()).isTrue();
    assertThat(body.get("stream_options").get("include_usage").asBoolean()).isTrue();
    assertThat(body.get("messages").get(0).get("content").asString()).isEqualTo("Hi");
  }

  @Test
  void sendsNoKeyWhenNoneIsSet() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(chatAnswer("ok"));

    replica(upstream.baseUrl()).execute(chat("Hi"), new RecordingListener());

    assertThat(upstream.takeRequest().headers()).doesNotContainKey("authorization");
  }

  // ---- Choosing the upstream model ------------------------------------------------------------

  private static ScriptedUpstream.Script modelList(String... ids) {
    StringBuilder data = new StringBuilder();
    for (String id : ids) {
      data.append(data.length() == 0 ? "" : ",").append("{\"id\":\"").append(id).append("\",\"object\":\"model\"}");
    }
    return e -> e.respond(200, "application/json", "{\"object\":\"list\",\"data\":[" + data + "]}");
  }

  @Test
  void asksTheUpstreamForItsModelsWithTheKeyAndUsesTheOnlyOne() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(modelList("llama-3-8b")).enqueue(chatAnswer("ok"));

    loadExactly(upstream.baseUrl(), Map.of("api-key", KEY)).createReplica(0).execute(chat("Hi"), new RecordingListener());

    ScriptedUpstream.Recorded list = upstream.takeRequest();
    assertThat(list.method()).isEqualTo("GET");
    assertThat(list.path()).isEqualTo("/v1/models");
    assertThat(list.headers()).containsEntry("authorization", "Bearer " + KEY);
    assertThat(Json.mapper().readTree(upstream.takeRequest().body()).get("model").asString()).isEqualTo("llama-3-8b");
  }

  @Test
  void refusesToGuessAmongSeveralUpstreamModelsWithoutAServiceName() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(modelList("a", "b"));

    assertThatThrownBy(() -> loadExactly(upstream.baseUrl(), Map.of()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("The upstream serves 2 models (a, b); set the option 'upstream-model' to one of them.");
  }

  @Test
  void usesTheUpstreamModelCalledLikeTheService() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(modelList("other", SERVICE));

    ModelRuntime runtime = provider().load(new ModelSource(upstream.baseUrl(), Map.of()), SERVICE);
    resources.add(runtime);

    assertThat(runtime).isNotNull();
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @Test
  void failsTheLoadWhenTheUpstreamCannotListItsModels() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> e.respond(404, "application/json", "{}"));
    String dead = deadUrl();

    assertThatThrownBy(() -> loadExactly(dead + "," + upstream.baseUrl(), Map.of()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("Could not ask the upstream which model to use")
        .hasMessageContaining("GET " + upstream.baseUrl() + "/models answered HTTP 404")
        .hasMessageContaining("set the option 'upstream-model'");
  }

  @Test
  void takesTheListOfTheFirstEndpointThatAnswers() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(modelList("solo")).enqueue(chatAnswer("ok"));

    ModelRuntime runtime = loadExactly(deadUrl() + "," + upstream.baseUrl(), Map.of());
    runtime.createReplica(1).execute(chat("Hi"), new RecordingListener());

    upstream.takeRequest();
    assertThat(Json.mapper().readTree(upstream.takeRequest().body()).get("model").asString()).isEqualTo("solo");
  }

  @Test
  void estimatesUsageWhenUpstreamReportsNone() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> {
      e.startStream(false);
      e.send(chatDelta(0, "12345678"));
      e.send(chatDelta(0, "9"));
      e.send(chatFinish(0, "length"));
      e.send(done());
      e.end();
    });
    RecordingListener listener = new RecordingListener();

    replica(upstream.baseUrl()).execute(chat("a prompt of 27 characters!!"), listener);

    // Characters / 4, rounded up: 27 -> 7 prompt tokens, 9 -> 3 completion tokens.
    assertThat(listener.usages).containsExactly(new RecordingListener.UsageReport(Usage.of(7, 3), true));
    assertThat(listener.finishReason(0)).isEqualTo("length");
  }

  @Test
  void relaysToolCallFragmentsLogprobsAndSeveralChoices() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> {
      e.startStream(true);
      e.send(event("{\"choices\":[{\"index\":1,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
          + "\"function\":{\"name\":\"weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}"));
      e.send(event("{\"choices\":[{\"index\":1,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]},\"finish_reason\":null}]}"));
      e.send(event("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"logprobs\":{\"content\":[{\"token\":\"Hi\",\"logprob\":-0.25,"
          + "\"bytes\":[72,105],\"top_logprobs\":[{\"token\":\"Hi\",\"logprob\":-0.25,\"bytes\":[72,105]}]}]},\"finish_reason\":null}]}"));
      e.send(chatFinish(0, "stop"));
      e.send(chatFinish(1, "tool_calls"));
      e.send(done());
      e.end();
    });
    RecordingListener listener = new RecordingListener();

    replica(upstream.baseUrl()).execute(chat("weather?"), listener);

    List<ToolCall> calls = listener.deltas.stream()
        .filter(d -> d.index() == 1 && d.toolCalls() != null)
        .flatMap(d -> d.toolCalls().stream())
        .toList();
    assertThat(calls).extracting(ToolCall::index).containsExactly(0, 0);
    assertThat(calls.get(0).id()).isEqualTo("call_1");
    assertThat(calls.get(0).function().name()).isEqualTo("weather");
    assertThat(calls.get(1).function().arguments()).isEqualTo("{\"city\":\"Oslo\"}");
    ChoiceDelta withLogprobs = listener.deltas.stream().filter(d -> d.logprobs() != null).findFirst().orElseThrow();
    assertThat(withLogprobs.logprobs().get(0).logprob()).isEqualTo(-0.25);
    assertThat(withLogprobs.logprobs().get(0).topLogprobs()).hasSize(1);
    assertThat(listener.finishReason(0)).isEqualTo("stop");
    assertThat(listener.finishReason(1)).isEqualTo("tool_calls");
  }

  @Test
  void relaysLegacyCompletionsWithTheirLogprobs() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> {
      e.startStream(true);
      e.send(event("{\"id\":\"cmpl-up\",\"object\":\"text_completion\",\"choices\":[{\"text\":\" world\",\"index\":0,"
          + "\"logprobs\":{\"tokens\":[\" world\"],\"token_logprobs\":[-0.5],\"top_logprobs\":[{\" world\":-0.5,\" there\":-1.5}],"
          + "\"text_offset\":[5]},\"finish_reason\":null}]}"));
      e.send(event("{\"choices\":[{\"text\":\"\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"length\"}]}"));
      e.send(usage(1, 1));
      e.send(done());
      e.end();
    });
    RecordingListener listener = new RecordingListener();
    CompletionRequest request = CompletionRequest.of(SERVICE, "Hello", 1);

    replica(upstream.baseUrl()).execute(new InferenceRequest.Text("cmpl-1", request, new Cancellation()), listener);

    assertThat(upstream.takeRequest().path()).isEqualTo("/v1/completions");
    assertThat(listener.text(0)).isEqualTo(" world");
    assertThat(listener.finishReason(0)).isEqualTo("length");
    ChoiceDelta first = listener.deltas.get(0);
    assertThat(first.logprobs()).singleElement().satisfies(t -> {
      assertThat(t.token()).isEqualTo(" world");
      assertThat(t.logprob()).isEqualTo(-0.5);
      assertThat(t.topLogprobs()).extracting(top -> top.token()).containsExactlyInAnyOrder(" world", " there");
    });
    assertThat(listener.usages).containsExactly(new RecordingListener.UsageReport(Usage.of(1, 1), false));
  }

  @ParameterizedTest(name = "http-version {0}")
  @ValueSource(strings = {"auto", "1.1", "2"})
  void speaksHttp11ToAPlainHttpUpstreamAndTriesAnUpgradeOnlyWhenAskedTo(String httpVersion) throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(chatAnswer("ok"));
    RecordingListener listener = new RecordingListener();

    replica(upstream.baseUrl(), "http-version", httpVersion).execute(chat("Hi"), listener);

    assertThat(listener.text(0)).isEqualTo("ok");
    assertThat(upstream.takeRequest().headers().containsKey("upgrade")).isEqualTo(httpVersion.equals("2"));
  }

  // ---- Stream faults --------------------------------------------------------------------------

  @ParameterizedTest(name = "headers sent first: {0}")
  @ValueSource(booleans = {false, true})
  void slowFirstByteFailsWith504WithoutRetrying(boolean headersFirst) throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> {
      if (headersFirst) {
        e.startStream(true);
      }
      e.awaitClientGone(Duration.ofSeconds(10));
    });
    Replica replica = replica(upstream.baseUrl(), "first-byte-timeout", "PT0.3S");

    BackendException e = catchThrowableOfType(BackendException.class,
        () -> replica.execute(chat("Hi"), new RecordingListener()));

    assertThat(e.httpStatus()).isEqualTo(504);
    assertThat(e.code()).isEqualTo("upstream_timeout");
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @Test
  void aStreamMayLastLongerThanTheFirstByteTimeout() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> {
      e.startStream(true);
      for (int i = 0; i < 8; i++) {
        e.send(chatDelta(0, "x"));
        Thread.sleep(100);
      }
      e.send(chatFinish(0, "stop"));
      e.send(done());
      e.end();
    });
    RecordingListener listener = new RecordingListener();

    replica(upstream.baseUrl(), "first-byte-timeout", "PT0.3S").execute(chat("Hi"), listener);

    assertThat(listener.text(0)).isEqualTo("xxxxxxxx");
  }

  @Test
  void silenceInTheMiddleOfTheStreamFailsWith504() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> {
      e.startStream(true);
      e.send(chatDelta(0, "Hel"));
      e.awaitClientGone(Duration.ofSeconds(10));
    });
    RecordingListener listener = new RecordingListener();
    Replica replica = replica(upstream.baseUrl(), "idle-timeout", "300");

    BackendException e = catchThrowableOfType(BackendException.class, () -> replica.execute(chat("Hi"), listener));

    assertThat(e.httpStatus()).isEqualTo(504);
    assertThat(listener.text(0)).isEqualTo("Hel");
    assertThat(listener.usages).isEmpty();
  }

  @ParameterizedTest(name = "chunked: {0}")
  @ValueSource(booleans = {false, true})
  void upstreamDyingMidStreamFailsWith502AndIsNotRetried(boolean chunked) throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> {
      e.startStream(chunked);
      e.send(chatRole());
      e.send(chatDelta(0, "Hel"));
      e.drop();
    }).otherwise(chatAnswer("retried"));
    RecordingListener listener = new RecordingListener();
    Replica replica = replica(upstream.baseUrl());

    BackendException e = catchThrowableOfType(BackendException.class, () -> replica.execute(chat("Hi"), listener));

    assertThat(e.httpStatus()).isEqualTo(502);
    assertThat(e.code()).isEqualTo("bad_gateway");
    assertThat(listener.text(0)).isEqualTo("Hel");
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @Test
  void malformedEventFailsWith502() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> {
      e.startStream(true);
      e.send(chatDelta(0, "Hel"));
      e.send("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}\n\n");
      e.send(done());
      e.end();
    });
    Replica replica = replica(upstream.baseUrl());

    BackendException e = catchThrowableOfType(BackendException.class,
        () -> replica.execute(chat("Hi"), new RecordingListener()));

    assertThat(e.httpStatus()).isEqualTo(502);
    assertThat(e.getMessage()).contains("malformed");
  }

  @Test
  void anAnswerThatIsNotAnEventStreamFailsWith502() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> e.respond(200, "text/html", "<html>login</html>"));
    Replica replica = replica(upstream.baseUrl());

    BackendException e = catchThrowableOfType(BackendException.class,
        () -> replica.execute(chat("Hi"), new RecordingListener()));

    assertThat(e.httpStatus()).isEqualTo(502);
    assertThat(e.getMessage()).contains("text/html");
  }

  @Test
  void errorEventInTheStreamFailsWith502WithSanitizedMessage() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> {
      e.startStream(true);
      e.send(chatDelta(0, "Hel"));
      e.send(event("{\"error\":{\"message\":\"engine crashed at " + "http://10.1.2.3:8000/v1 with " + KEY + "\",\"type\":\"server_error\"}}"));
      e.end();
    });
    Replica replica = replica(upstream.baseUrl(), "api-key", KEY);

    BackendException e = catchThrowableOfType(BackendException.class,
        () -> replica.execute(chat("Hi"), new RecordingListener()));

    assertThat(e.httpStatus()).isEqualTo(502);
    assertThat(e.getMessage()).contains("engine crashed").doesNotContain(KEY).doesNotContain("10.1.2.3");
  }

  // ---- Retries and failover -------------------------------------------------------------------

  @Test
  void rateLimitedRequestWaitsForRetryAfterThenSucceeds() throws Exception {
    ScriptedUpstream upstream = upstream()
        .enqueue(e -> e.respond(429, "application/json",
            "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_exceeded\"}}", "Retry-After: 1"))
        .enqueue(chatAnswer("ok"));
    RecordingListener listener = new RecordingListener();

    replica(upstream.baseUrl()).execute(chat("Hi"), listener);

    assertThat(listener.text(0)).isEqualTo("ok");
    List<ScriptedUpstream.Recorded> requests = upstream.requests();
    assertThat(requests).hasSize(2);
    assertThat(Duration.ofNanos(requests.get(1).atNanos() - requests.get(0).atNanos()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(900));
  }

  @Test
  void rateLimitWithLongRetryAfterFailsWith503CarryingIt() throws Exception {
    ScriptedUpstream upstream = upstream()
        .enqueue(e -> e.respond(429, "application/json", "{}", "Retry-After: 120"))
        .otherwise(chatAnswer("ok"));
    Replica replica = replica(upstream.baseUrl());

    OverloadedException e = catchThrowableOfType(OverloadedException.class,
        () -> replica.execute(chat("Hi"), new RecordingListener()));

    assertThat(e.httpStatus()).isEqualTo(503);
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(120));
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @Test
  void serverErrorIsRetriedThenSucceeds() throws Exception {
    ScriptedUpstream upstream = upstream()
        .enqueue(e -> e.respond(500, "application/json", "{\"error\":{\"message\":\"oops\"}}"))
        .enqueue(chatAnswer("ok"));
    RecordingListener listener = new RecordingListener();

    replica(upstream.baseUrl()).execute(chat("Hi"), listener);

    assertThat(listener.text(0)).isEqualTo("ok");
    assertThat(upstream.requestCount()).isEqualTo(2);
    assertThat(listener.deltas.stream().filter(d -> d.finishReason() != null)).hasSize(1);
  }

  @Test
  void serverErrorRetryAfterIsHonoured() throws Exception {
    ScriptedUpstream upstream = upstream()
        .enqueue(e -> e.respond(503, "text/plain", "restarting", "Retry-After: 1"))
        .enqueue(chatAnswer("ok"));
    RecordingListener listener = new RecordingListener();

    replica(upstream.baseUrl()).execute(chat("Hi"), listener);

    assertThat(listener.text(0)).isEqualTo("ok");
    List<ScriptedUpstream.Recorded> requests = upstream.requests();
    assertThat(Duration.ofNanos(requests.get(1).atNanos() - requests.get(0).atNanos()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(900));
  }

  @Test
  void serverErrorsBeyondMaxRetriesFailWith502() throws Exception {
    ScriptedUpstream upstream = upstream().otherwise(e -> e.respond(503, "text/plain", "down"));
    Replica replica = replica(upstream.baseUrl(), "max-retries", "1");

    BackendException e = catchThrowableOfType(BackendException.class,
        () -> replica.execute(chat("Hi"), new RecordingListener()));

    assertThat(e.httpStatus()).isEqualTo(502);
    assertThat(e.isRetriable()).isTrue();
    assertThat(upstream.requestCount()).isEqualTo(2);
  }

  @Test
  void unreachableUpstreamFailsWith502() throws Exception {
    Replica replica = replica(deadUrl(), "max-retries", "0");

    BackendException e = catchThrowableOfType(BackendException.class,
        () -> replica.execute(chat("Hi"), new RecordingListener()));

    assertThat(e.httpStatus()).isEqualTo(502);
    assertThat(e.code()).isEqualTo("upstream_unreachable");
  }

  @Test
  void requestsSucceedWhenOneOfTwoEndpointsIsDead() throws Exception {
    ScriptedUpstream live = upstream().otherwise(chatAnswer("ok"));
    ModelRuntime runtime = load(deadUrl() + "," + live.baseUrl());
    Replica onDead = runtime.createReplica(0);
    Replica onLive = runtime.createReplica(1);

    for (int i = 0; i < 6; i++) {
      RecordingListener listener = new RecordingListener();
      (i % 2 == 0 ? onDead : onLive).execute(chat("Hi " + i), listener);
      assertThat(listener.text(0)).isEqualTo("ok");
    }
    assertThat(live.requestCount()).isEqualTo(6);
  }

  @Test
  void failingEndpointIsEjectedForItsCooldownThenProbedAgain() throws Exception {
    ScriptedUpstream failing = upstream().otherwise(e -> e.respond(500, "application/json", "{}"));
    ScriptedUpstream healthy = upstream().otherwise(chatAnswer("ok"));
    ModelRuntime runtime = load(failing.baseUrl() + "," + healthy.baseUrl(), "eject-cooldown", "PT0.5S");
    Replica preferringFailing = runtime.createReplica(2);

    for (int i = 0; i < 4; i++) {
      preferringFailing.execute(chat("Hi"), new RecordingListener());
    }
    assertThat(failing.requestCount()).isEqualTo(1);
    assertThat(healthy.requestCount()).isEqualTo(4);

    Thread.sleep(600);
    preferringFailing.execute(chat("Hi"), new RecordingListener());
    assertThat(failing.requestCount()).isEqualTo(2);
  }

  @Test
  void replicasPreferTheirOwnEndpointAndReportTheConfiguredCapacity() throws Exception {
    ScriptedUpstream first = upstream().otherwise(chatAnswer("one"));
    ScriptedUpstream second = upstream().otherwise(chatAnswer("two"));
    ModelRuntime runtime = load(first.baseUrl() + ", " + second.baseUrl() + "/", "capacity", "4");

    RecordingListener listener = new RecordingListener();
    runtime.createReplica(3).execute(chat("Hi"), listener);

    assertThat(listener.text(0)).isEqualTo("two");
    assertThat(runtime.createReplica(0).capacity()).isEqualTo(4);
    assertThat(runtime.descriptor().modelType()).isEqualTo("remote");
  }

  @Test
  void concurrentRequestsOnOneReplicaKeepTheirOwnAnswers() throws Exception {
    ScriptedUpstream upstream = upstream().otherwise(ScriptedUpstream.storyModel(Duration.ofMillis(1)));
    Replica replica = replica(upstream.baseUrl());
    List<CompletableFuture<RecordingListener>> answers = new ArrayList<>();

    for (int i = 1; i <= 16; i++) {
      int maxTokens = i;
      answers.add(CompletableFuture.supplyAsync(() -> {
        RecordingListener listener = new RecordingListener();
        replica.execute(chat(ChatCompletionRequest.builder(SERVICE).addMessage(ChatMessage.user("Go"))
            .maxTokens(maxTokens).n(2).build()), listener);
        return listener;
      }, runnable -> new Thread(runnable).start()));
    }

    for (int i = 1; i <= 16; i++) {
      RecordingListener listener = answers.get(i - 1).get(10, TimeUnit.SECONDS);
      String expected = String.join(" ", IntStream.range(0, i).mapToObj(w -> "word" + w).toList());
      assertThat(listener.text(0)).isEqualTo(expected);
      assertThat(listener.text(1)).isEqualTo(expected);
      assertThat(listener.usages).singleElement().extracting(u -> u.usage().completionTokens()).isEqualTo(2 * i);
    }
  }

  // ---- Upstream client errors -----------------------------------------------------------------

  @Test
  void upstreamBadRequestKeepsItsStatusAndSanitizedBody() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> e.respond(400, "application/json",
        "{\"error\":{\"message\":\"temperature too high for llama-3-8b at https://10.0.0.5:8000/v1/chat/completions (key "
            + KEY + ")\",\"type\":\"invalid_request_error\",\"param\":\"temperature\",\"code\":\"invalid_value\"}}"));
    Replica replica = replica(upstream.baseUrl(), "api-key", KEY, "upstream-model", "llama-3-8b");

    UpstreamException e = catchThrowableOfType(UpstreamException.class,
        () -> replica.execute(chat("Hi"), new RecordingListener()));

    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(e.type()).isEqualTo("invalid_request_error");
    assertThat(e.param()).isEqualTo("temperature");
    assertThat(e.code()).isEqualTo("invalid_value");
    assertThat(e.getMessage())
        .startsWith("temperature too high for " + SERVICE)
        .doesNotContain(KEY)
        .doesNotContain("10.0.0.5")
        .doesNotContain("llama-3-8b");
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @Test
  void upstreamRejectingOurKeyIsABadGatewayNotTheCallersFault() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> e.respond(401, "application/json",
        "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + "\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"));
    Replica replica = replica(upstream.baseUrl(), "api-key", KEY);

    BackendException e = catchThrowableOfType(BackendException.class,
        () -> replica.execute(chat("Hi"), new RecordingListener()));

    assertThat(e.httpStatus()).isEqualTo(502);
    assertThat(e.code()).isEqualTo("upstream_auth_failed");
    assertThat(e.getMessage()).doesNotContain(KEY);
  }

  @Test
  void redirectsAreNotFollowed() throws Exception {
    ScriptedUpstream target = upstream().otherwise(chatAnswer("followed"));
    ScriptedUpstream upstream = upstream().enqueue(e ->
        e.respond(307, "text/plain", "", "Location: " + target.baseUrl() + "/chat/completions"));
    Replica replica = replica(upstream.baseUrl());

    BackendException e = catchThrowableOfType(BackendException.class,
        () -> replica.execute(chat("Hi"), new RecordingListener()));

    assertThat(e.httpStatus()).isEqualTo(502);
    assertThat(target.requestCount()).isZero();
  }

  @Test
  void upstreamKeyNeverAppearsInLogsErrorsOrDescriptions() throws Exception {
    String errorWithKey = "{\"error\":{\"message\":\"bad key " + KEY + "\",\"type\":\"invalid_request_error\"}}";
    ScriptedUpstream upstream = upstream()
        .enqueue(e -> e.respond(500, "application/json", errorWithKey))
        .enqueue(e -> e.respond(401, "application/json", errorWithKey))
        .enqueue(e -> e.respond(400, "application/json", errorWithKey))
        .enqueue(e -> e.respond(422, "application/json", errorWithKey))
        .enqueue(e -> {
          e.startStream(true);
          e.send(event(errorWithKey));
          e.end();
        });
    PrintStream originalErr = System.err;
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    StringBuilder seen = new StringBuilder();
    System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
    try {
      ModelSource source = new ModelSource(deadUrl() + "," + upstream.baseUrl(), Map.of("api-key", KEY, "max-retries", "1", "upstream-model", SERVICE));
      ModelRuntime runtime = provider().load(source);
      resources.add(runtime);
      Replica replica = runtime.createReplica(0);
      for (int i = 0; i < 4; i++) {
        Throwable failure = catchThrowableOfType(ModelhostException.class,
            () -> replica.execute(chat("Hi"), new RecordingListener()));
        for (Throwable t = failure; t != null; t = t.getCause()) {
          seen.append(t).append('\n');
        }
      }
      seen.append(source).append(runtime).append(replica);
    } finally {
      System.setErr(originalErr);
    }

    assertThat(upstream.requests()).allSatisfy(r -> assertThat(r.headers()).containsEntry("authorization", "Bearer " + KEY));
    assertThat(logs.toString(StandardCharsets.UTF_8)).contains("ejected").doesNotContain(KEY);
    assertThat(seen.toString()).contains("HTTP 500", "credentials", "bad key ***").doesNotContain(KEY);
  }

  // ---- Cancellation ---------------------------------------------------------------------------

  @Test
  void cancellingMidStreamAbortsTheUpstreamRequestWithinOneSecond() throws Exception {
    CompletableFuture<Boolean> upstreamSawClose = new CompletableFuture<>();
    ScriptedUpstream upstream = upstream().enqueue(e -> {
      e.startStream(true);
      e.send(chatDelta(0, "Hel"));
      upstreamSawClose.complete(e.awaitClientGone(Duration.ofSeconds(1)));
    });
    InferenceRequest.Chat request = chat("Hi");
    RecordingListener listener = new RecordingListener(delta -> request.cancellation().cancel());
    Replica replica = replica(upstream.baseUrl());

    assertThatThrownBy(() -> replica.execute(request, listener)).isInstanceOf(RequestCancelledException.class);
    assertThat(upstreamSawClose.get(5, TimeUnit.SECONDS)).isTrue();
  }

  @ParameterizedTest(name = "http-version {0}")
  @ValueSource(strings = {"1.1", "2"})
  void cancellingBeforeTheAnswerStartsAbortsTheUpstreamRequestWithinOneSecond(String httpVersion) throws Exception {
    CompletableFuture<Boolean> upstreamSawClose = new CompletableFuture<>();
    ScriptedUpstream upstream = upstream().enqueue(e -> upstreamSawClose.complete(e.awaitClientGone(Duration.ofSeconds(1))));
    InferenceRequest.Chat request = chat("Hi");
    Replica replica = replica(upstream.baseUrl(), "http-version", httpVersion);
    CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
      try {
        replica.execute(request, new RecordingListener());
        return null;
      } catch (RuntimeException e) {
        return e;
      }
    });

    upstream.takeRequest();
    request.cancellation().cancel();

    assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(RequestCancelledException.class);
    assertThat(upstreamSawClose.get(5, TimeUnit.SECONDS)).isTrue();
  }

  // ---- Pass-through ---------------------------------------------------------------------------

  @Test
  void relaysEmbeddingsWithModelsMapped() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> e.respond(200, "application/json",
        "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.5,-0.25]}],"
            + "\"model\":\"bge-small\",\"usage\":{\"prompt_tokens\":2,\"total_tokens\":2}}"));
    var runtime = (PassThroughCapable)
        load(upstream.baseUrl(), "api-key", KEY, "upstream-model", "bge-small");
    JsonNode body = Json.mapper().readTree("{\"model\":\"" + SERVICE + "\",\"input\":\"hello\",\"stream\":true}");

    JsonNode answer = runtime.passThrough(
        PassThroughCapable.Endpoint.EMBEDDINGS, body, new Cancellation());

    assertThat(answer.get("model").asString()).isEqualTo(SERVICE);
    assertThat(answer.get("data").get(0).get("embedding").get(1).asDouble()).isEqualTo(-0.25);
    ScriptedUpstream.Recorded request = upstream.takeRequest();
    assertThat(request.path()).isEqualTo("/v1/embeddings");
    assertThat(request.headers()).containsEntry("authorization", "Bearer " + KEY);
    JsonNode sent = Json.mapper().readTree(request.body());
    assertThat(sent.get("model").asString()).isEqualTo("bge-small");
    assertThat(sent.has("stream")).isFalse();
    assertThat(body.get("model").asString()).isEqualTo(SERVICE);
  }

  @Test
  void relaysImageGenerationErrorsSanitized() throws Exception {
    ScriptedUpstream upstream = upstream().enqueue(e -> e.respond(400, "application/json",
        "{\"error\":{\"message\":\"size 4096x4096 unsupported by http://gpu-7.internal:9000/v1\",\"type\":\"invalid_request_error\",\"param\":\"size\",\"code\":null}}"));
    var runtime = (PassThroughCapable) load(upstream.baseUrl());
    JsonNode body = Json.mapper().readTree("{\"model\":\"" + SERVICE + "\",\"prompt\":\"a cat\",\"size\":\"4096x4096\"}");

    UpstreamException e = catchThrowableOfType(UpstreamException.class, () -> runtime.passThrough(
        PassThroughCapable.Endpoint.IMAGES_GENERATIONS, body, new Cancellation()));

    assertThat(upstream.takeRequest().path()).isEqualTo("/v1/images/generations");
    assertThat(e.httpStatus()).isEqualTo(400);
    assertThat(e.param()).isEqualTo("size");
    assertThat(e.getMessage()).isEqualTo("size 4096x4096 unsupported by [upstream]");
  }
}
