package dev.modelhost.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.tool.annotation.Tool;

/** Spring AI's own OpenAI chat model, given only the server's base URL and a key. */
class SpringAiOpenAiTest extends ServerTestBase {

  ChatClient client() {
    OpenAiChatModel model = OpenAiChatModel.builder()
        .options(OpenAiChatOptions.builder()
            .baseUrl(baseUrl() + "/v1")
            .apiKey(TestServer.ACME_KEY)
            .model("acme/chat")
            .build())
        .build();
    return ChatClient.create(model);
  }

  @Test
  void chatsWithUsage() {
    ChatResponse response = client().prompt().user("Hello").call().chatResponse();

    assertThat(response.getResult().getOutput().getText()).isEqualTo(String.join("", ScriptedBackend.ANSWER));
    assertThat(response.getMetadata().getModel()).isEqualTo("acme/chat");
    assertThat(response.getMetadata().getUsage().getCompletionTokens()).isEqualTo(ScriptedBackend.ANSWER.size());
  }

  @Test
  void streamsTheAnswerInPieces() {
    List<String> pieces = client().prompt().user("Hello").stream().content().collectList().block(Duration.ofSeconds(30));

    assertThat(pieces).containsSubsequence(ScriptedBackend.ANSWER);
    assertThat(String.join("", pieces)).isEqualTo(String.join("", ScriptedBackend.ANSWER));
  }

  static final class Clock {
    final List<String> asked = new CopyOnWriteArrayList<>();

    @Tool(description = "Tells the time of day")
    String currentTime() {
      asked.add("time");
      return "noon";
    }
  }

  @Test
  void aToolRoundTripRunsTheToolAndSendsItsResultBack() {
    Clock clock = new Clock();

    String answer = client().prompt().user("What time is it?").tools(clock).call().content();

    assertThat(clock.asked).hasSize(1);
    // Spring AI sends a tool's String result as JSON.
    assertThat(answer).isEqualTo("The tool said: \"noon\"");
  }
}
