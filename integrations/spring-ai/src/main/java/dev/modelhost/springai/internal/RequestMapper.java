package dev.modelhost.springai.internal;

import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.ContentPart;
import dev.modelhost.api.Json;
import dev.modelhost.api.MessageContent;
import dev.modelhost.api.ResponseFormat;
import dev.modelhost.api.StopSequences;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolCall;
import dev.modelhost.exception.InvalidRequestException;
import dev.modelhost.springai.ModelhostChatOptions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.content.Media;
import org.springframework.ai.tool.definition.ToolDefinition;

/**
 * Turns a Spring AI prompt and its resolved options into a chat-completions request. Media are
 * passed on as OpenAI content parts (images as {@code image_url}, audio as {@code input_audio},
 * anything else as {@code file}); whether a service reads them is the service's to say.
 */
public final class RequestMapper {

  private RequestMapper() {}

  public static ChatCompletionRequest toRequest(List<Message> messages, ModelhostChatOptions options,
      List<ToolDefinition> tools) {
    String model = options.getModel();
    if (model == null || model.isBlank()) {
      throw new InvalidRequestException(
          "No service to ask: set ModelhostChatOptions.model to a service's access path (owner/name).", "model",
          "missing_required_parameter");
    }
    List<ChatMessage> chatMessages = new ArrayList<>();
    for (Message message : messages) {
      addMessage(message, chatMessages);
    }
    List<String> stop = options.getStopSequences();
    ChatCompletionRequest.Builder request = ChatCompletionRequest.builder(model)
        .messages(chatMessages)
        .temperature(options.getTemperature())
        .topP(options.getTopP())
        .topK(options.getTopK())
        .frequencyPenalty(options.getFrequencyPenalty())
        .presencePenalty(options.getPresencePenalty())
        .maxTokens(options.getMaxTokens())
        .stop(stop == null || stop.isEmpty() ? null : new StopSequences(stop))
        .seed(options.getSeed())
        .minP(options.getMinP())
        .repetitionPenalty(options.getRepetitionPenalty())
        .toolChoice(options.getToolChoice())
        .parallelToolCalls(options.getParallelToolCalls());
    if (!tools.isEmpty()) {
      request.tools(tools.stream()
          .map(tool -> Tool.function(tool.name(), tool.description(), Json.mapper().readTree(tool.inputSchema())))
          .toList());
    }
    if (options.getOutputSchema() != null) {
      request.responseFormat(new ResponseFormat("json_schema", new ResponseFormat.JsonSchema(
          "response", null, Json.mapper().readTree(options.getOutputSchema()), null)));
    }
    return request.build();
  }

  private static void addMessage(Message message, List<ChatMessage> into) {
    if (message instanceof SystemMessage system) {
      into.add(ChatMessage.system(system.getText()));
    } else if (message instanceof UserMessage user) {
      into.add(user.getMedia().isEmpty()
          ? ChatMessage.user(user.getText())
          : new ChatMessage(ChatMessage.USER, MessageContent.ofParts(parts(user)), null, null, null));
    } else if (message instanceof AssistantMessage assistant) {
      List<ToolCall> calls = assistant.hasToolCalls()
          ? assistant.getToolCalls().stream().map(c -> ToolCall.function(c.id(), c.name(), c.arguments())).toList()
          : null;
      String text = assistant.getText();
      into.add(new ChatMessage(ChatMessage.ASSISTANT, text == null ? null : MessageContent.of(text), null, calls, null));
    } else if (message instanceof ToolResponseMessage toolResponses) {
      toolResponses.getResponses().forEach(r -> into.add(ChatMessage.tool(r.id(), r.responseData())));
    } else {
      throw new InvalidRequestException("Unsupported message type: " + message.getMessageType(), "messages",
          "invalid_value");
    }
  }

  private static List<ContentPart> parts(UserMessage user) {
    List<ContentPart> parts = new ArrayList<>();
    if (user.getText() != null && !user.getText().isEmpty()) {
      parts.add(ContentPart.text(user.getText()));
    }
    for (Media media : user.getMedia()) {
      String type = media.getMimeType().getType();
      if (type.equals("image")) {
        String url = media.getData() instanceof String s ? s : dataUrl(media);
        parts.add(ContentPart.imageUrl(url));
      } else if (type.equals("audio")) {
        parts.add(new ContentPart("input_audio", null, null, new ContentPart.InputAudio(
            Base64.getEncoder().encodeToString(media.getDataAsByteArray()), media.getMimeType().getSubtype()),
            null, null));
      } else {
        parts.add(new ContentPart("file", null, null, null,
            new ContentPart.FileRef(dataUrl(media), null, media.getName()), null));
      }
    }
    return parts;
  }

  private static String dataUrl(Media media) {
    return "data:" + media.getMimeType() + ";base64," + Base64.getEncoder().encodeToString(media.getDataAsByteArray());
  }
}
