package dev.modelhost.langchain4j.internal;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.audio.Audio;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.AudioContent;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.PdfFileContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.pdf.PdfFile;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.internal.JsonSchemaElementJsonUtils;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.ContentPart;
import dev.modelhost.api.Json;
import dev.modelhost.api.MessageContent;
import dev.modelhost.api.ResponseFormat;
import dev.modelhost.api.StopSequences;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolCall;
import dev.modelhost.api.ToolChoice;
import dev.modelhost.langchain4j.ModelhostChatRequestParameters;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Turns a LangChain4j {@link ChatRequest} into a chat-completions request. Every parameter
 * LangChain4j can carry is mapped; what has no OpenAI counterpart (video, custom messages) is
 * refused with {@link UnsupportedFeatureException}. Whether a service reads images, audio or files
 * is the service's to say: they are passed on, and a text-only model refuses them.
 */
public final class RequestMapper {

  private RequestMapper() {}

  public static ChatCompletionRequest toRequest(ChatRequest chatRequest) {
    ChatRequestParameters parameters = chatRequest.parameters();
    ChatCompletionRequest.Builder request = ChatCompletionRequest.builder(requireModel(parameters.modelName()))
        .messages(chatRequest.messages().stream().map(RequestMapper::toMessage).toList())
        .temperature(parameters.temperature())
        .topP(parameters.topP())
        .topK(parameters.topK())
        .frequencyPenalty(parameters.frequencyPenalty())
        .presencePenalty(parameters.presencePenalty())
        .maxTokens(parameters.maxOutputTokens())
        .stop(isEmpty(parameters.stopSequences()) ? null : new StopSequences(parameters.stopSequences()))
        .responseFormat(parameters.responseFormat() == null ? null : toResponseFormat(parameters.responseFormat()));
    if (!isEmpty(parameters.toolSpecifications())) {
      request.tools(parameters.toolSpecifications().stream().map(RequestMapper::toTool).toList());
    }
    if (parameters.toolChoice() != null) {
      request.toolChoice(switch (parameters.toolChoice()) {
        case AUTO -> ToolChoice.AUTO;
        case REQUIRED -> ToolChoice.REQUIRED;
        case NONE -> ToolChoice.NONE;
      });
    }
    if (parameters instanceof ModelhostChatRequestParameters modelhost) {
      request.seed(modelhost.seed())
          .minP(modelhost.minP())
          .repetitionPenalty(modelhost.repetitionPenalty())
          .parallelToolCalls(modelhost.parallelToolCalls());
    }
    return request.build();
  }

  private static String requireModel(@Nullable String modelName) {
    if (modelName == null || modelName.isBlank()) {
      throw new dev.langchain4j.exception.InvalidRequestException(
          "modelName is required: the access path of a Modelhost service (owner/name)");
    }
    return modelName;
  }

  static ChatMessage toMessage(dev.langchain4j.data.message.ChatMessage message) {
    if (message instanceof SystemMessage system) {
      return ChatMessage.system(system.text());
    }
    if (message instanceof UserMessage user) {
      MessageContent content = user.hasSingleText()
          ? MessageContent.of(user.singleText())
          : MessageContent.ofParts(user.contents().stream().map(RequestMapper::toPart).toList());
      return new ChatMessage(ChatMessage.USER, content, user.name(), null, null);
    }
    if (message instanceof AiMessage ai) {
      List<ToolCall> calls = ai.hasToolExecutionRequests()
          ? ai.toolExecutionRequests().stream().map(RequestMapper::toToolCall).toList()
          : null;
      return new ChatMessage(ChatMessage.ASSISTANT, ai.text() == null ? null : MessageContent.of(ai.text()), null,
          calls, null);
    }
    if (message instanceof ToolExecutionResultMessage result) {
      return ChatMessage.tool(result.id(), result.text());
    }
    throw new UnsupportedFeatureException("Modelhost has no counterpart of a " + message.type() + " message");
  }

  private static ToolCall toToolCall(ToolExecutionRequest call) {
    return ToolCall.function(call.id(), call.name(), call.arguments());
  }

  private static ContentPart toPart(Content content) {
    if (content instanceof TextContent text) {
      return ContentPart.text(text.text());
    }
    if (content instanceof ImageContent image) {
      Image picture = image.image();
      String url = picture.url() != null ? picture.url().toString()
          : dataUrl(picture.mimeType(), picture.base64Data());
      String detail = image.detailLevel() == null ? null : image.detailLevel().name().toLowerCase(java.util.Locale.ROOT);
      return new ContentPart("image_url", null, new ContentPart.ImageUrl(url, detail), null, null, null);
    }
    if (content instanceof AudioContent audioContent) {
      Audio audio = audioContent.audio();
      if (audio.base64Data() == null) {
        throw new UnsupportedFeatureException("Audio is sent inline: give base64 data, not a URL");
      }
      return new ContentPart("input_audio", null, null,
          new ContentPart.InputAudio(audio.base64Data(), audioFormat(audio.mimeType())), null, null);
    }
    if (content instanceof PdfFileContent pdfContent) {
      PdfFile pdf = pdfContent.pdfFile();
      if (pdf.base64Data() == null) {
        throw new UnsupportedFeatureException("A PDF file is sent inline: give base64 data, not a URL");
      }
      return new ContentPart("file", null, null, null,
          new ContentPart.FileRef(dataUrl(pdf.mimeType(), pdf.base64Data()), null, null), null);
    }
    throw new UnsupportedFeatureException("Modelhost has no counterpart of " + content.type() + " content");
  }

  private static String dataUrl(@Nullable String mimeType, String base64) {
    return "data:" + (mimeType == null ? "application/octet-stream" : mimeType) + ";base64," + base64;
  }

  /** OpenAI names the audio format ({@code wav}, {@code mp3}); LangChain4j carries a MIME type. */
  private static @Nullable String audioFormat(@Nullable String mimeType) {
    if (mimeType == null) {
      return null;
    }
    String subtype = mimeType.substring(mimeType.indexOf('/') + 1);
    return subtype.equals("mpeg") ? "mp3" : subtype;
  }

  private static Tool toTool(ToolSpecification specification) {
    JsonNode parameters = specification.parameters() == null ? null : toJson(specification.parameters());
    return new Tool("function", new Tool.FunctionDefinition(
        specification.name(), specification.description(), parameters, specification.strict()));
  }

  private static ResponseFormat toResponseFormat(dev.langchain4j.model.chat.request.ResponseFormat format) {
    if (format.type() == ResponseFormatType.TEXT) {
      return ResponseFormat.TEXT;
    }
    JsonSchema schema = format.jsonSchema();
    if (schema == null) {
      return ResponseFormat.JSON_OBJECT;
    }
    String name = schema.name() == null ? "response" : schema.name();
    return new ResponseFormat("json_schema",
        new ResponseFormat.JsonSchema(name, null, toJson(schema.rootElement()), null));
  }

  // LangChain4j's own providers write schemas with this utility, so the JSON is the one they send.
  private static JsonNode toJson(JsonSchemaElement element) {
    return Json.mapper().valueToTree(JsonSchemaElementJsonUtils.toMap(element));
  }

  private static boolean isEmpty(@Nullable List<?> list) {
    return list == null || list.isEmpty();
  }
}
