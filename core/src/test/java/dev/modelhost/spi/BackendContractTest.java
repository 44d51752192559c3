package dev.modelhost.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.ModelHost;
import dev.modelhost.ResponseStream;
import dev.modelhost.ServiceSpec;
import dev.modelhost.api.ChatCompletion;
import dev.modelhost.api.ChatCompletionChunk;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.Completion;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.api.Json;
import dev.modelhost.api.StreamOptions;
import dev.modelhost.testing.RecordingUsageSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The behaviours every backend shares, checked through {@link ModelHost} as users see them. A
 * backend module extends this class (from the {@code modelhost-core} test-jar) and names its backend
 * and a model source; the backend is found with {@link java.util.ServiceLoader}, so the test also
 * checks its registration. The model must answer {@link #prompt()} with a few tokens or more.
 *
 * <pre>{@code
 * <dependency>
 *   <groupId>dev.modelhost</groupId>
 *   <artifactId>modelhost-core</artifactId>
 *   <type>test-jar</type>
 *   <scope>test</scope>
 * </dependency>
 *
 * class OnnxBackendContractTest extends BackendContractTest {
 *   protected String backendName() { return "onnx"; }
 *   protected ModelSource modelSource() { return ModelSource.of(modelDirectory.toString()); }
 * }
 * }</pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendContractTest {

  protected static final String OWNER = "contract";
  protected static final String NAME = "model";
  protected static final String MODEL = OWNER + "/" + NAME;

  protected final RecordingUsageSink usage = new RecordingUsageSink();
  protected ModelHost host;

  /** The backend's {@link BackendProvider#name()}. */
  protected abstract String backendName();

  /** The model to serve. */
  protected abstract ModelSource modelSource();

  /** A prompt the model answers with more than one token. */
  protected String prompt() {
    return "Tell me a story.";
  }

  /** How long loading may take. */
  protected Duration loadTimeout() {
    return Duration.ofMinutes(2);
  }

  @BeforeAll
  void deploy() {
    host = ModelHost.builder().usageSink(usage).build();
    host.deploy(ServiceSpec.builder(OWNER, NAME).backend(backendName()).source(modelSource()).build());
    host.awaitRunning(MODEL, loadTimeout());
  }

  @AfterAll
  void close() {
    if (host != null) {
      host.close();
    }
  }

  protected ChatCompletionRequest.Builder chat(int maxTokens) {
    return ChatCompletionRequest.builder(MODEL).addMessage(ChatMessage.user(prompt())).temperature(0.0).maxTokens(maxTokens);
  }

  @Test
  void answersChatWithAnAssistantMessageAndUsage() throws InterruptedException {
    ChatCompletion answer = host.chat(chat(16).build());

    assertThat(answer.id()).startsWith("chatcmpl-");
    assertThat(answer.object()).isEqualTo("chat.completion");
    assertThat(answer.model()).isEqualTo(MODEL);
    assertThat(answer.choices()).hasSize(1);
    ChatCompletion.Choice choice = answer.choices().get(0);
    assertThat(choice.index()).isZero();
    assertThat(choice.message().role()).isEqualTo("assistant");
    assertThat(choice.message().content()).isNotBlank();
    assertThat(choice.finishReason()).isIn("stop", "length");
    assertThat(answer.usage().promptTokens()).isPositive();
    assertThat(answer.usage().completionTokens()).isBetween(1, 16);
    assertThat(answer.usage().totalTokens())
        .isEqualTo(answer.usage().promptTokens() + answer.usage().completionTokens());

    UsageRecord record = usage.awaitOne(answer.id());
    assertThat(record.outcome()).isEqualTo(UsageRecord.Outcome.COMPLETED);
    assertThat(record.service()).isEqualTo(MODEL);
    assertThat(record.endpoint()).isEqualTo("chat.completions");
    assertThat(record.promptTokens()).isEqualTo(answer.usage().promptTokens());
    assertThat(record.completionTokens()).isEqualTo(answer.usage().completionTokens());
    assertThat(record.finishReason()).isEqualTo(choice.finishReason());
  }

  @Test
  void streamsTheSameTextAsTheWholeAnswerAtTemperatureZero() {
    ChatCompletion whole = host.chat(chat(16).build());
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (ResponseStream<ChatCompletionChunk> stream =
        host.streamChat(chat(16).stream(true).streamOptions(StreamOptions.withUsage()).build())) {
      stream.forEachRemaining(chunks::add);
    }

    StringBuilder text = new StringBuilder();
    String finishReason = null;
    for (ChatCompletionChunk chunk : chunks.subList(0, chunks.size() - 1)) {
      assertThat(chunk.choices()).hasSize(1);
      ChatCompletionChunk.ChunkChoice choice = chunk.choices().get(0);
      if (choice.delta().content() != null) {
        text.append(choice.delta().content());
      }
      if (choice.finishReason() != null) {
        finishReason = choice.finishReason();
      }
    }
    assertThat(chunks.get(0).choices().get(0).delta().role()).isEqualTo("assistant");
    assertThat(text.toString()).isEqualTo(whole.firstContent());
    assertThat(finishReason).isEqualTo(whole.choices().get(0).finishReason());
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage().completionTokens()).isEqualTo(whole.usage().completionTokens());
    assertThat(chunks).extracting(ChatCompletionChunk::id).containsOnly(chunks.get(0).id());
  }

  @Test
  void givesTwoChoicesWhenAskedForTwo() {
    ChatCompletion answer = host.chat(chat(8).n(2).build());

    assertThat(answer.choices()).extracting(ChatCompletion.Choice::index).containsExactly(0, 1);
    assertThat(answer.choices()).allSatisfy(c -> assertThat(c.message().content()).isNotBlank());
  }

  @Test
  void stopsAfterOneTokenWithFinishReasonLength() {
    ChatCompletion answer = host.chat(chat(1).build());

    assertThat(answer.choices().get(0).finishReason()).isEqualTo("length");
    assertThat(answer.usage().completionTokens()).isEqualTo(1);
  }

  @Test
  void cancelsWhenTheStreamIsClosedAndServesTheNextRequest() throws InterruptedException {
    String id;
    try (ResponseStream<ChatCompletionChunk> stream = host.streamChat(chat(256).stream(true).build())) {
      assertThat(stream.hasNext()).isTrue();
      id = stream.next().id();
    }

    UsageRecord record = usage.awaitOne(id);
    // A fast model may have finished before the close arrived; either way the request has ended.
    assertThat(record.outcome()).isIn(UsageRecord.Outcome.CANCELLED, UsageRecord.Outcome.COMPLETED);
    if (record.outcome() == UsageRecord.Outcome.CANCELLED) {
      assertThat(record.completionTokens()).isLessThan(256);
    }
    assertThat(host.chat(chat(4).build()).firstContent()).isNotBlank();
  }

  @Test
  void answersLegacyCompletions() throws InterruptedException {
    // Greedy, so that a model whose likeliest first token is not end-of-text never answers empty by chance.
    CompletionRequest greedy = Json.read("""
        {"model": "%s", "prompt": %s, "max_tokens": 8, "temperature": 0}
        """.formatted(MODEL, Json.mapper().writeValueAsString(prompt())), CompletionRequest.class);
    Completion answer = host.complete(greedy);

    assertThat(answer.id()).startsWith("cmpl-");
    assertThat(answer.object()).isEqualTo("text_completion");
    assertThat(answer.model()).isEqualTo(MODEL);
    assertThat(answer.choices()).hasSize(1);
    assertThat(answer.choices().get(0).text()).isNotEmpty();
    assertThat(answer.choices().get(0).finishReason()).isIn("stop", "length");
    assertThat(answer.usage().completionTokens()).isBetween(1, 8);
    assertThat(usage.awaitOne(answer.id()).endpoint()).isEqualTo("completions");
  }

  @Test
  void writesOneUsageRecordPerRequest() throws InterruptedException {
    List<String> ids = new ArrayList<>();
    ids.add(host.chat(chat(4).build()).id());
    try (ResponseStream<ChatCompletionChunk> stream = host.streamChat(chat(4).stream(true).build())) {
      ids.add(stream.id());
      stream.forEachRemaining(chunk -> { });
    }
    ids.add(host.complete(CompletionRequest.of(MODEL, prompt(), 4)).id());

    for (String id : ids) {
      assertThat(usage.awaitOne(id).caller()).isEqualTo("local");
    }
    assertThat(usage.records()).extracting(UsageRecord::requestId).doesNotHaveDuplicates();
  }
}
