package dev.modelhost.springai;

import static dev.modelhost.springai.DefaultModelHost.HOST;
import static dev.modelhost.springai.DefaultModelHost.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.Caller;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.exception.NotFoundException;
import dev.modelhost.spi.UsageRecord;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;

/** Spring AI's ChatClient on the default model, in-process: what an application writes. */
class ChatClientTest {

  /** The generator's transcript of the greedy answer to this prompt (tools/default-model/transcript.txt). */
  static final String PROMPT = "Tell me a fortune.";
  static final String GREEDY_ANSWER_PART = "\"I'm a good idea of my life, but I'm not a good thing.\"";

  static ModelhostChatModel.Builder greedy() {
    return ModelhostChatModel.builder()
        .host(HOST)
        .defaultOptions(ModelhostChatOptions.builder().model(SERVICE).temperature(0.0).maxTokens(64).build());
  }

  @Test
  void chatClientAnswersWithTheGreedyTextUsageAndFinishReason() {
    ChatResponse response = ChatClient.create(greedy().build()).prompt().user(PROMPT).call().chatResponse();

    assertThat(response.getResult().getOutput().getText()).contains(GREEDY_ANSWER_PART);
    assertThat(response.getResult().getMetadata().getFinishReason()).isEqualTo("stop");
    assertThat(response.getMetadata().getId()).startsWith("chatcmpl-");
    assertThat(response.getMetadata().getModel()).isEqualTo(SERVICE);
    assertThat(response.getMetadata().getUsage().getPromptTokens()).isEqualTo(13);
    assertThat(response.getMetadata().getUsage().getCompletionTokens()).isEqualTo(39);
    assertThat(response.getMetadata().getUsage().getTotalTokens()).isEqualTo(52);
  }

  @Test
  void requestOptionsOfAnyKindOverrideTheDefaults() {
    ChatClient client = ChatClient.create(greedy().build());

    ChatResponse response = client.prompt().user(PROMPT).options(ChatOptions.builder().maxTokens(5)).call().chatResponse();

    assertThat(response.getMetadata().getUsage().getCompletionTokens()).isEqualTo(5);
    assertThat(response.getResult().getMetadata().getFinishReason()).isEqualTo("length");
  }

  @Test
  void aSeedMakesSamplingRepeatable() {
    ChatClient client = ChatClient.create(greedy().build());
    ModelhostChatOptions.Builder seeded = ModelhostChatOptions.builder().temperature(1.0).seed(11L).maxTokens(24);

    String first = client.prompt().user(PROMPT).options(seeded.clone()).call().content();
    String second = client.prompt().user(PROMPT).options(seeded.clone()).call().content();

    assertThat(first).isEqualTo(second);
  }

  @Test
  void requestsAreMeteredUnderTheCallerTheApplicationChose() {
    ChatClient.create(greedy().caller(new Caller("key-spring")).build()).prompt().user(PROMPT).call().content();

    assertThat(DefaultModelHost.USAGE).extracting(UsageRecord::caller).contains("key-spring");
  }

  @Test
  void streamingSendsTheGreedyTextInPiecesThenTheUsage() {
    ChatClient client = ChatClient.create(greedy().build());

    List<ChatResponse> responses = client.prompt().user(PROMPT).stream().chatResponse()
        .collectList().block(Duration.ofSeconds(60));

    assertThat(responses).hasSizeGreaterThan(5);
    String text = String.join("", responses.stream().map(r -> r.getResult().getOutput().getText()).toList());
    assertThat(text).contains(GREEDY_ANSWER_PART);
    ChatResponse last = responses.get(responses.size() - 1);
    assertThat(last.getMetadata().getUsage().getCompletionTokens()).isEqualTo(39);
  }

  @Test
  void cancellingTheStreamCancelsTheGeneration() throws InterruptedException {
    ChatClient client = ChatClient.create(greedy().caller(new Caller("spring-cancelling")).build());

    List<String> pieces = client.prompt().user(PROMPT)
        .options(ModelhostChatOptions.builder().maxTokens(200))
        .stream().content().take(3).collectList().block(Duration.ofSeconds(60));

    assertThat(pieces).hasSize(3);
    assertThat(awaitCancelledRequest("spring-cancelling")).isTrue();
  }

  @Test
  void refusalsAreModelhostExceptionsNamingTheParameter() {
    ChatClient client = ChatClient.create(greedy().build());

    assertThatThrownBy(() -> client.prompt().user(PROMPT).options(ModelhostChatOptions.builder().minP(2.0)).call().content())
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo("min_p"));
    assertThatThrownBy(() -> client.prompt().user(PROMPT).options(ChatOptions.builder().model("local/missing"))
            .stream().content().blockLast(Duration.ofSeconds(30)))
        .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("model_not_found"));
  }

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
