package dev.modelhost.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.output.FinishReason;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A tool round trip through LangChain4j's OpenAI model: the first request requires a tool call
 * ({@code tool_choice: required}, which the engine must constrain), the second sends the tool's
 * result back and lets the model answer in text.
 */
class OpenAiOverHttpConstrainedTest extends HttpServerTestBase {

  static final ToolSpecification BOOK_TABLE = ToolSpecification.builder()
      .name("bookTable")
      .description("Books a table at a restaurant")
      .parameters(JsonObjectSchema.builder()
          .addEnumProperty("restaurant", List.of("Luigi's", "Noma"))
          .addIntegerProperty("guests")
          .required("restaurant", "guests")
          .build())
      .build();

  @Test
  void aRequiredToolCallAndItsResultMakeARoundTrip() {
    OpenAiChatModel model = OpenAiChatModel.builder()
        .baseUrl(baseUrl()).apiKey(KEY).modelName(SERVICE).temperature(1.5).seed(1).maxTokens(200).build();
    UserMessage question = UserMessage.from("Book a table for two at Luigi's.");

    ChatResponse call = model.chat(ChatRequest.builder()
        .messages(question).toolSpecifications(BOOK_TABLE).toolChoice(ToolChoice.REQUIRED).build());

    assertThat(call.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
    ToolExecutionRequest request = call.aiMessage().toolExecutionRequests().get(0);
    assertThat(request.name()).isEqualTo("bookTable");
    assertThat(request.arguments()).containsAnyOf("\"Luigi's\"", "\"Noma\"").contains("\"guests\"");

    AiMessage callMessage = call.aiMessage();
    ChatResponse answer = model.chat(ChatRequest.builder()
        .messages(question, callMessage, ToolExecutionResultMessage.from(request, "booked"))
        .toolSpecifications(BOOK_TABLE)
        .toolChoice(ToolChoice.NONE)
        .build());

    assertThat(answer.aiMessage().hasToolExecutionRequests()).isFalse();
    assertThat(answer.aiMessage().text()).isNotBlank();
  }
}
