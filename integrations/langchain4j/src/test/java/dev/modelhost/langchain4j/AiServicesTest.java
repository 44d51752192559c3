package dev.modelhost.langchain4j;

import static dev.modelhost.langchain4j.DefaultModelHost.HOST;
import static dev.modelhost.langchain4j.DefaultModelHost.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.TokenStream;
import dev.modelhost.Caller;
import dev.modelhost.spi.UsageRecord;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** LangChain4j's AI services on the default model, in-process: what an application writes. */
class AiServicesTest {

  /** The generator's transcript of the greedy answer to this prompt (tools/default-model/transcript.txt). */
  static final String PROMPT = "Tell me a fortune.";
  static final String GREEDY_ANSWER_PART = "\"I'm a good idea of my life, but I'm not a good thing.\"";

  interface Assistant {
    String chat(String message);
  }

  interface StreamingAssistant {
    TokenStream chat(String message);
  }

  static ModelhostChatModel.Builder greedy() {
    return ModelhostChatModel.builder().host(HOST).modelName(SERVICE).temperature(0.0).maxTokens(64);
  }

  @Test
  void aiServiceAnswersWithTheDefaultModelsGreedyText() {
    Assistant assistant = AiServices.create(Assistant.class, greedy().build());

    assertThat(assistant.chat(PROMPT)).contains(GREEDY_ANSWER_PART);
  }

  @Test
  void requestsAreMeteredUnderTheCallerTheApplicationChose() {
    Assistant assistant = AiServices.create(Assistant.class, greedy().caller(new Caller("key-reports")).build());

    assistant.chat(PROMPT);

    assertThat(DefaultModelHost.USAGE).extracting(UsageRecord::caller).contains("key-reports");
  }

  @Test
  void streamingAiServiceSendsTheGreedyTextInPiecesThenTheWholeResponse() throws Exception {
    ModelhostStreamingChatModel model = ModelhostStreamingChatModel.builder()
        .host(HOST).modelName(SERVICE).temperature(0.0).maxTokens(64).build();
    StreamingAssistant assistant = AiServices.create(StreamingAssistant.class, model);
    List<String> pieces = new CopyOnWriteArrayList<>();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();

    assistant.chat(PROMPT)
        .onPartialResponse(pieces::add)
        .onCompleteResponse(done::complete)
        .onError(done::completeExceptionally)
        .start();

    ChatResponse response = done.get(60, TimeUnit.SECONDS);
    assertThat(pieces).hasSizeGreaterThan(5);
    assertThat(String.join("", pieces)).isEqualTo(response.aiMessage().text()).contains(GREEDY_ANSWER_PART);
    assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(13);
    assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(39);
  }

  @Test
  void cancellingAStreamFromTheHandlerStopsTheGenerationAndTheCallbacks() throws Exception {
    ModelhostStreamingChatModel model = ModelhostStreamingChatModel.builder()
        .host(HOST).modelName(SERVICE).caller(new Caller("cancelling")).temperature(0.0).maxTokens(200).build();
    StreamingAssistant assistant = AiServices.create(StreamingAssistant.class, model);
    List<String> pieces = new CopyOnWriteArrayList<>();
    CompletableFuture<Object> ended = new CompletableFuture<>();

    assistant.chat(PROMPT)
        .onPartialResponseWithContext((partial, context) -> {
          pieces.add(partial.text());
          if (pieces.size() == 3) {
            context.streamingHandle().cancel();
          }
        })
        .onCompleteResponse(ended::complete)
        .onError(ended::complete)
        .start();

    assertThat(awaitCancelledRequest("cancelling")).isTrue();
    Thread.sleep(300);
    assertThat(pieces).hasSize(3);
    assertThat(ended).isNotDone();
  }

  /** Waits for the usage record of a cancelled request from {@code caller}. */
  static boolean awaitCancelledRequest(String caller) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (DefaultModelHost.USAGE.stream()
          .anyMatch(r -> r.caller().equals(caller) && r.outcome() == UsageRecord.Outcome.CANCELLED)) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }
}
