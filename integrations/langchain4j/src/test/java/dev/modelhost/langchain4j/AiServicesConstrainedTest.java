package dev.modelhost.langchain4j;

import static dev.modelhost.langchain4j.AiServicesTest.PROMPT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.langchain4j.agent.tool.ReturnBehavior;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.Result;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * AI services whose answers the engine must constrain: a tool the model is required to call
 * ({@code tool_choice: required}) and a structured-output return type ({@code response_format}
 * json_schema). The default model would not produce either unconstrained.
 */
class AiServicesConstrainedTest {

  /** Seeded sampling, as the engine's own constrained-decoding tests use: repeatable, and varied enough to finish. */
  static ModelhostChatModel.Builder sampled() {
    return ModelhostChatModel.builder().host(DefaultModelHost.HOST).modelName(DefaultModelHost.SERVICE)
        .temperature(1.5).seed(1L).maxTokens(200);
  }

  interface Ticketing {
    Result<String> book(String message);
  }

  enum Mood { CALM, BOLD, WISE }

  /**
   * Bounded values only: this small model's free strings and numbers may run to the token limit.
   * LangChain4j makes fields optional unless marked required.
   */
  record Fortune(@JsonProperty(required = true) Mood mood, @JsonProperty(required = true) boolean lucky) {}

  enum Restaurant { LUIGIS, NOMA }

  interface FortuneTeller {
    Fortune tell(String message);
  }

  static final class Booking {
    final List<String> booked = new CopyOnWriteArrayList<>();

    @Tool(value = "Books a table at a restaurant", returnBehavior = ReturnBehavior.IMMEDIATE)
    // A long: LangChain4j's schema for a Java int has no bounds, and the untrained model writes up to 16 digits.
    String bookTable(Restaurant restaurant, long guests) {
      booked.add(restaurant + " for " + guests);
      return "booked";
    }
  }

  @Test
  void aToolTheModelMustCallIsCalledOnceWithArgumentsOfItsSchema() {
    Booking booking = new Booking();
    Ticketing ticketing = AiServices.builder(Ticketing.class)
        .chatModel(sampled()
            .defaultRequestParameters(ModelhostChatRequestParameters.builder()
                .toolChoice(ToolChoice.REQUIRED).parallelToolCalls(false).build())
            .build())
        .tools(booking)
        .build();

    Result<String> result = ticketing.book("Book a table for two at Luigi's.");

    assertThat(booking.booked).hasSize(1);
    assertThat(result.toolExecutions()).singleElement()
        .satisfies(execution -> assertThat(execution.request().name()).isEqualTo("bookTable"));
  }

  @Test
  void aStructuredOutputTypeIsFilledFromTheSchemaConstrainedAnswer() {
    FortuneTeller teller = AiServices.create(FortuneTeller.class, sampled().build());

    Fortune fortune = teller.tell(PROMPT);

    assertThat(fortune).isNotNull();
    assertThat(fortune.mood()).isNotNull();
  }

  @Test
  void aStreamedToolCallArrivesInFragmentsThenWhole() throws Exception {
    ModelhostStreamingChatModel model = ModelhostStreamingChatModel.builder()
        .host(DefaultModelHost.HOST).modelName(DefaultModelHost.SERVICE).temperature(1.5).seed(1L).maxTokens(200)
        .build();
    ToolSpecification bookTable = ToolSpecifications.toolSpecificationsFrom(Booking.class).get(0);
    StringBuilder fragments = new StringBuilder();
    List<CompleteToolCall> complete = new CopyOnWriteArrayList<>();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();

    model.chat(ChatRequest.builder()
            .messages(UserMessage.from("Book a table for two at Luigi's."))
            .toolSpecifications(bookTable)
            .toolChoice(ToolChoice.REQUIRED)
            .build(),
        new StreamingChatResponseHandler() {
          @Override
          public void onPartialToolCall(PartialToolCall partial) {
            fragments.append(partial.partialArguments());
          }

          @Override
          public void onCompleteToolCall(CompleteToolCall call) {
            complete.add(call);
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
    assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
    assertThat(response.aiMessage().toolExecutionRequests()).isNotEmpty()
        .allSatisfy(request -> assertThat(request.name()).isEqualTo("bookTable"));
    assertThat(complete).extracting(call -> call.toolExecutionRequest())
        .isEqualTo(response.aiMessage().toolExecutionRequests());
    assertThat(fragments.toString()).isEqualTo(String.join("",
        response.aiMessage().toolExecutionRequests().stream().map(ToolExecutionRequest::arguments).toList()));
  }
}
