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
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

  private static final ByteArrayOutputStream BANNER = new ByteArrayOutputStream();

  @BeforeAll
  static void startServer() {
    ServerOptions options = ServerOptions.parse(new String[] {
        "--port=0",
        "--model=" + DefaultModel.TINY_RANDOM.directory(),
        "--service=test/tiny",
        "--MODELHOST_API_KEY=" + API_KEY,
        "--MODELHOST_ADMIN_KEY=" + ADMIN_KEY}, ServerOptions::defaultModelDirectory);
    server = ModelhostServer.start(options, new PrintStream(BANNER, true, StandardCharsets.UTF_8));
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
  void theBannersCurlLineWorksWhenPastedIntoAShell() throws Exception {
    String banner = BANNER.toString(StandardCharsets.UTF_8);
    assertThat(banner).contains("Modelhost is serving test/tiny at " + baseUrl + "/v1", "(from MODELHOST_API_KEY)")
        .doesNotContain(API_KEY);
    String curlLine = banner.lines().map(String::strip).filter(line -> line.startsWith("curl ")).findFirst().orElseThrow();

    // bash expands and splits the line exactly as it would for curl; a function stands in for curl.
    ProcessBuilder shell = new ProcessBuilder("bash", "-c", "curl() { printf '%s\\0' \"$@\"; }\n" + curlLine);
    shell.environment().put("MODELHOST_API_KEY", API_KEY);
    Process bash = shell.start();
    String[] curlArgs;
    try (InputStream in = bash.getInputStream()) {
      curlArgs = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\0");
    }
    assertThat(bash.waitFor()).isZero();

    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(curlArgs[0]));
    for (int i = 1; i < curlArgs.length; i += 2) {
      switch (curlArgs[i]) {
        case "-H" -> request.header(curlArgs[i + 1].substring(0, curlArgs[i + 1].indexOf(':')),
            curlArgs[i + 1].substring(curlArgs[i + 1].indexOf(':') + 1).strip());
        case "-d" -> request.POST(HttpRequest.BodyPublishers.ofString(curlArgs[i + 1]));
        default -> throw new AssertionError("unexpected curl argument " + curlArgs[i]);
      }
    }
    HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).contains("\"model\":\"test/tiny\"");
  }

  @Test
  void listsTheServiceForTheAdminKey() {
    assertThat(client(ADMIN_KEY).models().list().data()).anySatisfy(model -> assertThat(model.id()).isEqualTo("test/tiny"));
  }
}
