package dev.modelhost.springai;

import static dev.modelhost.springai.ChatClientTest.PROMPT;
import static dev.modelhost.springai.ChatClientTest.greedy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.api.ToolChoice;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.AdvisorParams;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.tool.annotation.Tool;

/**
 * ChatClient calls whose answers the engine must constrain: a tool callback the model is required
 * to call ({@code tool_choice: required}) and {@code entity(Record.class)} with native structured
 * output ({@code response_format} json_schema). The default model would produce neither unconstrained.
 */
class ChatClientConstrainedTest {

  enum Mood { CALM, BOLD, WISE }

  /** Bounded values only: this small model's free strings and numbers may run to the token limit. */
  record Fortune(Mood mood, boolean lucky) {}

  enum Restaurant { LUIGIS, NOMA }

  /** Seeded sampling, as the engine's own constrained-decoding tests use: repeatable, and varied enough to finish. */
  static ModelhostChatOptions.Builder sampled() {
    return ModelhostChatOptions.builder().temperature(1.5).seed(1L).maxTokens(200);
  }

  static final class Booking {
    final List<String> booked = new CopyOnWriteArrayList<>();

    // Returned directly: with tool_choice required, sending the result back would call the tool again.
    // A long: Spring AI's schema for a Java int has no bounds, and the untrained model writes up to 16 digits.
    @Tool(description = "Books a table at a restaurant", returnDirect = true)
    String bookTable(Restaurant restaurant, long guests) {
      booked.add(restaurant + " for " + guests);
      return "booked";
    }
  }

  @Test
  void aToolCallbackTheModelMustCallIsCalledByTheToolCallingAdvisor() {
    Booking booking = new Booking();

    String answer = ChatClient.create(greedy().build()).prompt()
        .user("Book a table for two at Luigi's.")
        .tools(booking)
        .options(sampled().toolChoice(ToolChoice.REQUIRED).parallelToolCalls(false))
        .call()
        .content();

    assertThat(booking.booked).hasSize(1);
    assertThat(answer).contains("booked");
  }

  @Test
  void entityIsReadFromTheSchemaConstrainedAnswer() {
    Fortune fortune = ChatClient.create(greedy().build()).prompt()
        .user(PROMPT)
        .options(sampled())
        .advisors(AdvisorParams.ENABLE_NATIVE_STRUCTURED_OUTPUT)
        .call()
        .entity(Fortune.class);

    assertThat(fortune).isNotNull();
    assertThat(fortune.mood()).isNotNull();
  }
}
