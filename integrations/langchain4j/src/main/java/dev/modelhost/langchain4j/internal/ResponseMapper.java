package dev.modelhost.langchain4j.internal;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.modelhost.api.ChatCompletion;
import dev.modelhost.api.ToolCall;
import dev.modelhost.api.Usage;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Turns a chat completion (whole, or assembled from a stream) into a LangChain4j {@link ChatResponse}. */
public final class ResponseMapper {

  private ResponseMapper() {}

  public static ChatResponse toChatResponse(ChatCompletion completion) {
    ChatCompletion.AssistantMessage message = completion.choices().get(0).message();
    return chatResponse(completion.id(), completion.model(), message.content(),
        message.toolCalls() == null ? List.of() : message.toolCalls(),
        completion.choices().get(0).finishReason(), completion.usage());
  }

  static ChatResponse chatResponse(String id, String model, @Nullable String text, List<ToolCall> toolCalls,
      @Nullable String finishReason, @Nullable Usage usage) {
    List<ToolExecutionRequest> requests = toolCalls.stream().map(ResponseMapper::toRequest).toList();
    AiMessage message = AiMessage.builder().text(text).toolExecutionRequests(requests).build();
    return ChatResponse.builder()
        .aiMessage(message)
        .metadata(ChatResponseMetadata.builder()
            .id(id)
            .modelName(model)
            .tokenUsage(usage == null ? null
                : new TokenUsage(usage.promptTokens(), usage.completionTokens(), usage.totalTokens()))
            .finishReason(finishReason(finishReason))
            .build())
        .build();
  }

  static ToolExecutionRequest toRequest(ToolCall call) {
    return ToolExecutionRequest.builder()
        .id(call.id())
        .name(call.function() == null ? null : call.function().name())
        .arguments(call.function() == null ? null : call.function().arguments())
        .build();
  }

  static @Nullable FinishReason finishReason(@Nullable String reason) {
    if (reason == null) {
      return null;
    }
    return switch (reason) {
      case "stop" -> FinishReason.STOP;
      case "length" -> FinishReason.LENGTH;
      case "tool_calls", "function_call" -> FinishReason.TOOL_EXECUTION;
      case "content_filter" -> FinishReason.CONTENT_FILTER;
      default -> FinishReason.OTHER;
    };
  }
}
