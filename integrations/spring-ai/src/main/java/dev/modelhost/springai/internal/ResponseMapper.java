package dev.modelhost.springai.internal;

import dev.modelhost.api.ChatCompletion;
import dev.modelhost.api.ToolCall;
import dev.modelhost.api.Usage;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;

/**
 * Turns chat completions into Spring AI responses: one generation per choice, the finish reason as
 * OpenAI writes it ({@code stop}, {@code length}, {@code tool_calls}), usage with the Modelhost
 * {@link Usage} as its native usage.
 */
public final class ResponseMapper {

  private ResponseMapper() {}

  public static ChatResponse toChatResponse(ChatCompletion completion) {
    List<Generation> generations = completion.choices().stream()
        .map(choice -> generation(choice.message().content(),
            choice.message().toolCalls() == null ? List.of() : choice.message().toolCalls(), choice.finishReason()))
        .toList();
    return new ChatResponse(generations, metadata(completion.id(), completion.model(), completion.usage()));
  }

  static Generation generation(@Nullable String text, List<ToolCall> toolCalls, @Nullable String finishReason) {
    AssistantMessage message = AssistantMessage.builder()
        .content(text)
        .toolCalls(toolCalls.stream()
            .map(call -> new AssistantMessage.ToolCall(call.id(), "function",
                call.function() == null ? "" : call.function().name(),
                call.function() == null ? "" : call.function().arguments()))
            .toList())
        .build();
    return new Generation(message, finishReason == null
        ? ChatGenerationMetadata.NULL
        : ChatGenerationMetadata.builder().finishReason(finishReason).build());
  }

  static ChatResponseMetadata metadata(String id, String model, @Nullable Usage usage) {
    ChatResponseMetadata.Builder metadata = ChatResponseMetadata.builder().id(id).model(model);
    if (usage != null) {
      metadata.usage(new DefaultUsage(usage.promptTokens(), usage.completionTokens(), usage.totalTokens(), usage));
    }
    return metadata.build();
  }
}
