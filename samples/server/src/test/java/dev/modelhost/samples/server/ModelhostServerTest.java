package dev.modelhost.samples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.modelhost.defaultmodel.DefaultModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The server program with the real ONNX backend and the default model's tiny twin, on a free port. */
class ModelhostServerTest {

  private static final String API_KEY = "mh-server-test-owner-key-0001";
  private static final String ADMIN_KEY = "mh-server-test-admin-key-0001";

  private static ConfigurableApplicationContext server;
  private static String baseUrl;

  @BeforeAll
  static void startServer() {
    server = ModelhostServer.start(
        "--port=0",
        "--model=" + DefaultModel.TINY_RANDOM.directory(),
        "--service=test/tiny",
        "--MODELHOST_API_KEY=" + API_KEY,
        "--MODELHOST_ADMIN_KEY=" + ADMIN_KEY);
    baseUrl = "http://127.0.0.1:" + ((WebServerApplicationContext) server).getWebServer().getPort();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static OpenAIClient client(String key) {
    return OpenAIOkHttpClient.builder().baseUrl(baseUrl + "/v1").apiKey(key).maxRetries(0).build();
  }

  private static ChatCompletionCreateParams hello() {
    return ChatCompletionCreateParams.builder().model("test/tiny").addUserMessage("Hello!").maxCompletionTokens(8).build();
  }

  @Test
  void answersAChatWithTheOwnersKey() {
    ChatCompletion completion = client(API_KEY).chat().completions().create(hello());

    assertThat(completion.model()).isEqualTo("test/tiny");
    assertThat(completion.usage().orElseThrow().completionTokens()).isBetween(1L, 8L);
  }

  @Test
  void streamsAChatToTheEndWithUsage() {
    ChatCompletionCreateParams params = hello().toBuilder()
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
        .build();
    try (StreamResponse<ChatCompletionChunk> stream = client(API_KEY).chat().completions().createStreaming(params)) {
      var chunks = stream.stream().toList();
      assertThat(chunks.get(chunks.size() - 1).usage()).isPresent();
    }
  }

  @Test
  void refusesOtherKeys() {
    assertThatThrownBy(() -> client("mh-not-the-key-00000000000").chat().completions().create(hello()))
        .isInstanceOf(UnauthorizedException.class);
  }

  @Test
  void listsTheServiceForTheAdminKey() {
    assertThat(client(ADMIN_KEY).models().list().data()).anySatisfy(model -> assertThat(model.id()).isEqualTo("test/tiny"));
  }
}
