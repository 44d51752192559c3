package dev.modelhost.langchain4j;

import static dev.modelhost.langchain4j.AiServicesTest.GREEDY_ANSWER_PART;
import static dev.modelhost.langchain4j.AiServicesTest.PROMPT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** LangChain4j's own OpenAI models, given only the server's base URL and a key. */
class OpenAiOverHttpTest extends HttpServerTestBase {

  @Test
  void openAiChatModelGetsTheGreedyAnswerWithUsage() {
    OpenAiChatModel model = OpenAiChatModel.builder()
        .baseUrl(baseUrl()).apiKey(KEY).modelName(SERVICE).temperature(0.0).maxTokens(64).build();

    ChatResponse response = model.chat(dev.langchain4j.data.message.UserMessage.from(PROMPT));

    assertThat(response.aiMessage().text()).contains(GREEDY_ANSWER_PART);
    assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(13);
    assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(39);
    assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
  }

  @Test
  void openAiStreamingChatModelGetsTheGreedyAnswerInPieces() throws Exception {
    OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder()
        .baseUrl(baseUrl()).apiKey(KEY).modelName(SERVICE).temperature(0.0).maxTokens(64).build();
    List<String> pieces = new CopyOnWriteArrayList<>();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();

    model.chat(PROMPT, new StreamingChatResponseHandler() {
      @Override
      public void onPartialResponse(String partialResponse) {
        pieces.add(partialResponse);
      }

      @Override
      public void onCompleteResponse(ChatResponse response) {
        done.complete(response);
      }

      @Override
      public void onError(Throwable error) {
        done.completeExceptionally(error);
      }
    });

    ChatResponse response = done.get(60, TimeUnit.SECONDS);
    assertThat(pieces).hasSizeGreaterThan(5);
    assertThat(String.join("", pieces)).isEqualTo(response.aiMessage().text()).contains(GREEDY_ANSWER_PART);
    assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(39);
  }
}
