package dev.modelhost.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK against the server on a random port. */
class OpenAiSdkTest extends ServerTestBase {

  private static ChatCompletionCreateParams chat(String model, String prompt) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(prompt).build();
  }

  @Test
  void answersAChatCompletion() {
    ChatCompletion completion = client(TestServer.ACME_KEY).chat().completions().create(chat("acme/chat", "Hello"));

    assertThat(completion.model()).isEqualTo("acme/chat");
    assertThat(completion.choices()).hasSize(1);
    assertThat(completion.choices().get(0).message().content()).contains("This is a test!");
    assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(4);
    assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(1);
  }

  @Test
  void streamsAChatCompletionWithAUsageChunk() {
    ChatCompletionCreateParams params = chat("acme/chat", "Hello").toBuilder()
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
        .build();
    List<ChatCompletionChunk> chunks;
    try (StreamResponse<ChatCompletionChunk> stream =
        client(TestServer.ACME_KEY).chat().completions().createStreaming(params)) {
      chunks = stream.stream().toList();
    }

    String text = chunks.stream()
        .flatMap(chunk -> chunk.choices().stream())
        .map(choice -> choice.delta().content().orElse(""))
        .reduce("", String::concat);
    assertThat(text).isEqualTo("This is a test!");
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage().orElseThrow().totalTokens()).isEqualTo(5);
    assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.model()).isEqualTo("acme/chat"));
  }

  @Test
  void answersAndStreamsALegacyCompletion() {
    OpenAIClient client = client(TestServer.ACME_KEY);
    CompletionCreateParams params =
        CompletionCreateParams.builder().model("acme/chat").prompt("Say something").maxTokens(16).build();

    Completion completion = client.completions().create(params);
    assertThat(completion.choices().get(0).text()).isEqualTo("This is a test!");
    assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(2);

    try (StreamResponse<Completion> stream = client.completions().createStreaming(params)) {
      String text = stream.stream()
          .flatMap(chunk -> chunk.choices().stream())
          .map(CompletionChoice::text)
          .reduce("", String::concat);
      assertThat(text).isEqualTo("This is a test!");
    }
  }

  @Test
  void listsAndRetrievesOnlyTheKeysOwnModels() {
    OpenAIClient client = client(TestServer.ACME_KEY);

    List<String> ids = client.models().list().data().stream().map(Model::id).toList();
    assertThat(ids).contains("acme/chat", "acme/tight").doesNotContain("other/secret");

    Model model = client.models().retrieve("acme/chat");
    assertThat(model.id()).isEqualTo("acme/chat");
    assertThat(model.ownedBy()).isEqualTo("acme");

    assertThatThrownBy(() -> client.models().retrieve("other/secret")).isInstanceOf(NotFoundException.class);
  }

  @Test
  void adminKeySeesEveryOwnersModels() {
    List<String> ids = client(TestServer.ADMIN_KEY).models().list().data().stream().map(Model::id).toList();
    assertThat(ids).contains("acme/chat", "other/secret");
  }

  @Test
  void rejectsAnInvalidParameterWith400NamingIt() {
    ChatCompletionCreateParams params = chat("acme/chat", "Hello").toBuilder().temperature(5.0).build();

    assertThatThrownBy(() -> client(TestServer.ACME_KEY).chat().completions().create(params))
        .isInstanceOfSatisfying(BadRequestException.class,
            e -> assertThat(e.param()).contains("temperature"));
  }

  @Test
  void rejectsAWrongKeyWith401() {
    assertThatThrownBy(() -> client("mh-wrong-key-0123456789abcdef").chat().completions().create(chat("acme/chat", "Hi")))
        .isInstanceOfSatisfying(UnauthorizedException.class,
            e -> assertThat(e.code()).contains("invalid_api_key"));
  }

  @Test
  void hidesAnotherOwnersServiceBehind404() {
    assertThatThrownBy(() -> client(TestServer.ACME_KEY).chat().completions().create(chat("other/secret", "Hi")))
        .isInstanceOfSatisfying(NotFoundException.class,
            e -> assertThat(e.code()).contains("model_not_found"));
    assertThatThrownBy(() -> client(TestServer.ACME_KEY).chat().completions().create(chat("acme/missing", "Hi")))
        .isInstanceOfSatisfying(NotFoundException.class,
            e -> assertThat(e.code()).contains("model_not_found"));
  }

  @Test
  void refusesTheManagementApiToAnOwnerKeyWith403() {
    assertThatThrownBy(() -> client(TestServer.ACME_KEY).withOptions(o -> o.baseUrl(baseUrl() + "/admin"))
            .models().list())
        .isInstanceOf(PermissionDeniedException.class);
  }

  @Test
  void answersAFullServiceWith503AndRetryAfter() throws Exception {
    ScriptedBackend.Hold hold = ScriptedBackend.hold();
    OpenAIClient client = client(TestServer.ACME_KEY);
    CompletableFuture<ChatCompletion> holding =
        CompletableFuture.supplyAsync(() -> client.chat().completions().create(chat("acme/tight", "hold")));
    try {
      assertThat(hold.started().await(10, TimeUnit.SECONDS)).isTrue();

      assertThatThrownBy(() -> client.chat().completions().create(chat("acme/tight", "Hi")))
          .isInstanceOfSatisfying(InternalServerException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(503);
            assertThat(e.headers().values("Retry-After")).isNotEmpty();
          });
    } finally {
      hold.release();
    }
    assertThat(holding.get(10, TimeUnit.SECONDS).choices().get(0).message().content()).contains("held");
  }

  @Test
  void answersTooManyConcurrentRequestsOfOneKeyWith429() throws Exception {
    String key = keys.create("acme").key();
    ScriptedBackend.Hold hold = ScriptedBackend.hold();
    OpenAIClient client = client(key);
    try (Socket first = openStream(key, "acme/chat", "endless");
        Socket second = openStream(key, "acme/chat", "endless")) {
      CompletableFuture<ChatCompletion> third =
          CompletableFuture.supplyAsync(() -> client.chat().completions().create(chat("acme/tight", "hold")));
      try {
        // Generous: on a busy machine the client's first call in this JVM can take many seconds.
        assertThat(hold.started().await(60, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> client.chat().completions().create(chat("acme/chat", "Hi")))
            .isInstanceOfSatisfying(RateLimitException.class,
                e -> assertThat(e.headers().values("Retry-After")).containsExactly("1"));
      } finally {
        hold.release();
      }
      third.get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void reportsAnErrorAfterTheStreamStartedAsAnSseError() {
    ChatCompletionCreateParams params = chat("acme/chat", "fail-midway");

    try (StreamResponse<ChatCompletionChunk> stream =
        client(TestServer.ACME_KEY).chat().completions().createStreaming(params)) {
      assertThatThrownBy(() -> stream.stream().toList())
          .isInstanceOfSatisfying(SseException.class,
              e -> assertThat(e.body().toString()).contains("server_error"));
    }
  }
}
