package dev.modelhost.samples.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.spi.UsageRecord;
import dev.modelhost.spi.UsageSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Two servers on loopback: one serves the default model's tiny twin as {@code local/default}, the
 * other is a gateway started with only {@code --backend=remote --model=URL --service=front/relay}
 * (and keys). The gateway asks the upstream which model it serves, so greedy answers must be the
 * same either way.
 */
class RemoteGatewayTest {

  private static final String UPSTREAM_SERVICE = "local/default";
  private static final String GATEWAY_SERVICE = "front/relay";
  private static final String UPSTREAM_KEY = "mh-upstream-test-owner-key-01";
  private static final String GATEWAY_KEY = "mh-gateway-test-owner-key-001";

  /** The gateway's usage records, collected by a sink added to its context. */
  static final List<UsageRecord> GATEWAY_USAGE = new CopyOnWriteArrayList<>();

  private static ConfigurableApplicationContext upstream;
  private static ConfigurableApplicationContext gateway;

  @Configuration(proxyBeanMethods = false)
  static class RecordingUsage {
    @Bean
    UsageSink recordingUsageSink() {
      return GATEWAY_USAGE::add;
    }
  }

  @BeforeAll
  static void startServers() {
    upstream = ModelhostServer.start(
        "--port=0",
        "--model=" + DefaultModel.TINY_RANDOM.directory(),
        "--service=" + UPSTREAM_SERVICE,
        "--MODELHOST_API_KEY=" + UPSTREAM_KEY,
        "--MODELHOST_ADMIN_KEY=mh-upstream-test-admin-key-01");
    gateway = ModelhostServer.start(
        "--port=0",
        "--backend=remote",
        "--model=" + baseUrl(upstream) + "/v1",
        "--service=" + GATEWAY_SERVICE,
        "--MODELHOST_UPSTREAM_KEY=" + UPSTREAM_KEY,
        "--MODELHOST_API_KEY=" + GATEWAY_KEY,
        "--MODELHOST_ADMIN_KEY=mh-gateway-test-admin-key-01",
        "--spring.main.sources=" + RecordingUsage.class.getName());
  }

  @AfterAll
  static void stopServers() {
    gateway.close();
    upstream.close();
  }

  private static String baseUrl(ConfigurableApplicationContext server) {
    return "http://127.0.0.1:" + ((WebServerApplicationContext) server).getWebServer().getPort();
  }

  private static OpenAIClient client(ConfigurableApplicationContext server, String key) {
    return OpenAIOkHttpClient.builder().baseUrl(baseUrl(server) + "/v1").apiKey(key).maxRetries(0).build();
  }

  private static ChatCompletionCreateParams greedy(String model) {
    return ChatCompletionCreateParams.builder()
        .model(model)
        .addUserMessage("Tell me a fortune about the sea and the stars.")
        .temperature(0.0)
        .maxCompletionTokens(12)
        .build();
  }

  @Test
  void answersGreedilyThroughTheGatewayExactlyAsTheUpstreamDoes() {
    ChatCompletion direct = client(upstream, UPSTREAM_KEY).chat().completions().create(greedy(UPSTREAM_SERVICE));
    GATEWAY_USAGE.clear();

    ChatCompletion relayed = client(gateway, GATEWAY_KEY).chat().completions().create(greedy(GATEWAY_SERVICE));

    assertThat(relayed.model()).isEqualTo(GATEWAY_SERVICE);
    assertThat(relayed.choices().get(0).message().content())
        .isNotEmpty()
        .isEqualTo(direct.choices().get(0).message().content());
    assertThat(relayed.choices().get(0).finishReason()).isEqualTo(direct.choices().get(0).finishReason());
    assertSameCounts(relayed.usage().orElseThrow(), direct.usage().orElseThrow());
    assertThat(GATEWAY_USAGE).singleElement().satisfies(record -> {
      assertThat(record.estimated()).isFalse();
      assertThat(record.promptTokens()).isEqualTo(direct.usage().orElseThrow().promptTokens());
    });
  }

  @Test
  void streamsTheSameGreedyAnswerThroughTheGateway() {
    ChatCompletion direct = client(upstream, UPSTREAM_KEY).chat().completions().create(greedy(UPSTREAM_SERVICE));
    ChatCompletionCreateParams streamed = greedy(GATEWAY_SERVICE).toBuilder()
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
        .build();
    GATEWAY_USAGE.clear();

    StringBuilder text = new StringBuilder();
    CompletionUsage usage = null;
    try (StreamResponse<ChatCompletionChunk> stream =
        client(gateway, GATEWAY_KEY).chat().completions().createStreaming(streamed)) {
      for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
        chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
        if (chunk.usage().isPresent()) {
          usage = chunk.usage().get();
        }
      }
    }

    assertThat(text.toString()).isNotEmpty().isEqualTo(direct.choices().get(0).message().content().orElseThrow());
    assertThat(usage).isNotNull();
    assertSameCounts(usage, direct.usage().orElseThrow());
    assertThat(GATEWAY_USAGE).singleElement().satisfies(record -> assertThat(record.estimated()).isFalse());
  }

  private static void assertSameCounts(CompletionUsage actual, CompletionUsage expected) {
    assertThat(actual.promptTokens()).isEqualTo(expected.promptTokens());
    assertThat(actual.completionTokens()).isEqualTo(expected.completionTokens());
  }
}
