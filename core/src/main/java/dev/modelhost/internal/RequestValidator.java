package dev.modelhost.internal;

import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.api.ContentPart;
import dev.modelhost.api.ResponseFormat;
import dev.modelhost.api.StopSequences;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolCall;
import dev.modelhost.api.ToolChoice;
import dev.modelhost.exception.InvalidRequestException;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Checks every field of a request before it is queued, with OpenAI's limits, messages, {@code param}
 * paths ({@code temperature}, {@code messages[0].role}, {@code tools[0].function.name}) and codes
 * ({@code invalid_value}, {@code empty_array}, {@code missing_required_parameter},
 * {@code integer_below_min_value}, {@code decimal_above_max_value}, ...).
 *
 * <p>Unknown JSON fields never reach this class: the request records ignore them, as
 * OpenAI-compatible servers commonly do, so newer clients keep working. Every known field is checked
 * here, NaN and infinite numbers included. Beyond OpenAI's fields: {@code top_k} is 0 or more, and
 * 0 or -1 (vLLM's spelling) both mean "off"; {@code min_p} is within [0, 1];
 * {@code repetition_penalty} is above 0 (1 means "off").
 */
final class RequestValidator {

  /** OpenAI's limits. */
  static final double MAX_TEMPERATURE = 2;
  static final int MAX_TOP_LOGPROBS = 20;
  static final int MAX_LEGACY_LOGPROBS = 5;
  static final int MAX_STOP_SEQUENCES = 4;
  static final int MAX_PROMPTS = 2048;
  static final int MAX_TOOLS = 128;

  private static final Pattern FUNCTION_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
  private static final List<String> PART_TYPES = List.of("text", "image_url", "input_audio", "file", "refusal");
  private static final List<String> RESPONSE_FORMATS = List.of("text", "json_object", "json_schema");

  private RequestValidator() {}

  /** The {@code model} field, checked first because it selects the service whose limits apply. */
  public static String requireModel(@Nullable String model) {
    if (model == null) {
      throw missing("model");
    }
    if (model.isBlank()) {
      throw new InvalidRequestException("Invalid 'model': expected a non-empty string.", "model", "invalid_value");
    }
    return model;
  }

  /**
   * @param maxChoices the service's largest {@code n}
   * @param streaming whether the answer is streamed (asked with {@code stream} or by the call)
   */
  public static void validateChat(ChatCompletionRequest request, int maxChoices, boolean streaming) {
    requireModel(request.model());
    List<ChatMessage> messages = request.messages();
    if (messages == null) {
      throw missing("messages");
    }
    if (messages.isEmpty()) {
      throw new InvalidRequestException(
          "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
          "messages", "empty_array");
    }
    for (int i = 0; i < messages.size(); i++) {
      validateMessage(messages, i);
    }
    range("temperature", request.temperature(), 0, MAX_TEMPERATURE);
    range("top_p", request.topP(), 0, 1);
    choices(request.n(), maxChoices);
    streamOptions(request.streamOptions() != null, streaming);
    stop(request.stop());
    minimum("max_tokens", request.maxTokens(), 1);
    minimum("max_completion_tokens", request.maxCompletionTokens(), 1);
    range("presence_penalty", request.presencePenalty(), -2, 2);
    range("frequency_penalty", request.frequencyPenalty(), -2, 2);
    logitBias(request.logitBias());
    Integer topLogprobs = request.topLogprobs();
    if (topLogprobs != null) {
      intRange("top_logprobs", topLogprobs, 0, MAX_TOP_LOGPROBS);
      if (!Boolean.TRUE.equals(request.logprobs())) {
        throw new InvalidRequestException(
            "Invalid value for 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is used.",
            "top_logprobs", "invalid_value");
      }
    }
    tools(request.tools(), request.toolChoice());
    responseFormat(request.responseFormat());
    samplingExtensions(request.topK(), request.minP(), request.repetitionPenalty());
  }

  public static void validateCompletion(CompletionRequest request, int maxChoices, boolean streaming) {
    requireModel(request.model());
    if (request.prompt() == null) {
      throw missing("prompt");
    }
    int prompts = request.prompt().size();
    if (prompts > MAX_PROMPTS) {
      throw new InvalidRequestException("Invalid 'prompt': array too long. Expected an array with maximum length "
          + MAX_PROMPTS + ", but got an array with length " + prompts + " instead.", "prompt", "array_above_max_length");
    }
    if (request.suffix() != null) {
      throw new InvalidRequestException("Invalid 'suffix': suffix is not supported by this server.", "suffix", "invalid_value");
    }
    minimum("max_tokens", request.maxTokens(), 1);
    range("temperature", request.temperature(), 0, MAX_TEMPERATURE);
    range("top_p", request.topP(), 0, 1);
    choices(request.n(), maxChoices);
    Integer bestOf = request.bestOf();
    if (bestOf != null && bestOf != request.choiceCount()) {
      throw new InvalidRequestException("Invalid 'best_of': only best_of equal to n (" + request.choiceCount()
          + ") is supported, got " + bestOf + ".", "best_of", "invalid_value");
    }
    streamOptions(request.streamOptions() != null, streaming);
    if (request.logprobs() != null) {
      intRange("logprobs", request.logprobs(), 0, MAX_LEGACY_LOGPROBS);
    }
    if (Boolean.TRUE.equals(request.echo())) {
      for (int i = 0; i < prompts; i++) {
        if (request.prompt().isTokens(i)) {
          throw new InvalidRequestException(
              "Invalid 'echo': echo is not supported for prompts given as token ids.", "echo", "invalid_value");
        }
      }
    }
    stop(request.stop());
    range("presence_penalty", request.presencePenalty(), -2, 2);
    range("frequency_penalty", request.frequencyPenalty(), -2, 2);
    logitBias(request.logitBias());
    samplingExtensions(request.topK(), request.minP(), request.repetitionPenalty());
  }

  private static void validateMessage(List<ChatMessage> messages, int i) {
    ChatMessage message = messages.get(i);
    String at = "messages[" + i + "]";
    String role = message.role();
    if (role == null) {
      throw missing(at + ".role");
    }
    if (!ChatMessage.ROLES.contains(role)) {
      throw new InvalidRequestException("Invalid value: '" + role + "'. Supported values are: 'system',"
          + " 'assistant', 'user', 'tool', and 'developer'.", at + ".role", "invalid_value");
    }
    boolean hasToolCalls = message.toolCalls() != null && !message.toolCalls().isEmpty();
    if (message.toolCalls() != null && !role.equals(ChatMessage.ASSISTANT)) {
      throw new InvalidRequestException("Invalid parameter: only messages with role 'assistant' can have 'tool_calls'.",
          at + ".tool_calls", "invalid_value");
    }
    if (message.content() == null && !(role.equals(ChatMessage.ASSISTANT) && hasToolCalls)) {
      throw missing(at + ".content");
    }
    if (message.content() != null && message.content().isParts()) {
      List<ContentPart> parts = message.content().parts();
      if (parts.isEmpty()) {
        throw new InvalidRequestException("Invalid '" + at + ".content': empty array. Expected an array with minimum"
            + " length 1, but got an empty array instead.", at + ".content", "empty_array");
      }
      for (int j = 0; j < parts.size(); j++) {
        ContentPart part = parts.get(j);
        String partAt = at + ".content[" + j + "]";
        if (part.type() == null) {
          throw missing(partAt + ".type");
        }
        if (!PART_TYPES.contains(part.type())) {
          throw new InvalidRequestException("Invalid value: '" + part.type() + "'. Supported values are: 'text',"
              + " 'image_url', 'input_audio', 'file', and 'refusal'.", partAt + ".type", "invalid_value");
        }
        requirePartBody(part, partAt);
      }
    }
    if (hasToolCalls) {
      List<ToolCall> calls = message.toolCalls();
      for (int j = 0; j < calls.size(); j++) {
        ToolCall call = calls.get(j);
        String callAt = at + ".tool_calls[" + j + "]";
        if (call.id() == null) {
          throw missing(callAt + ".id");
        }
        if (call.function() == null || call.function().name() == null) {
          throw missing(callAt + ".function.name");
        }
      }
    }
    if (role.equals(ChatMessage.TOOL)) {
      if (message.toolCallId() == null) {
        throw missing(at + ".tool_call_id");
      }
      if (!answersToolCall(messages, i)) {
        throw new InvalidRequestException("Invalid parameter: messages with role 'tool' must be a response to a"
            + " preceding message with 'tool_calls'.", at + ".role", "invalid_value");
      }
    }
  }

  /** The field that a part of the given type carries, as OpenAI requires it. */
  private static void requirePartBody(ContentPart part, String at) {
    switch (String.valueOf(part.type())) {
      case ContentPart.TEXT -> {
        if (part.text() == null) {
          throw missing(at + ".text");
        }
      }
      case "image_url" -> {
        if (part.imageUrl() == null) {
          throw missing(at + ".image_url");
        }
        if (part.imageUrl().url() == null) {
          throw missing(at + ".image_url.url");
        }
      }
      case "input_audio" -> {
        if (part.inputAudio() == null) {
          throw missing(at + ".input_audio");
        }
        if (part.inputAudio().data() == null) {
          throw missing(at + ".input_audio.data");
        }
        if (part.inputAudio().format() == null) {
          throw missing(at + ".input_audio.format");
        }
      }
      case "file" -> {
        if (part.file() == null) {
          throw missing(at + ".file");
        }
      }
      case "refusal" -> {
        if (part.refusal() == null) {
          throw missing(at + ".refusal");
        }
      }
      default -> { }
    }
  }

  /** A tool message follows an assistant message with tool calls, possibly after other tool messages. */
  private static boolean answersToolCall(List<ChatMessage> messages, int i) {
    for (int k = i - 1; k >= 0; k--) {
      ChatMessage previous = messages.get(k);
      if (ChatMessage.TOOL.equals(previous.role())) {
        continue;
      }
      return ChatMessage.ASSISTANT.equals(previous.role())
          && previous.toolCalls() != null && !previous.toolCalls().isEmpty();
    }
    return false;
  }

  private static void choices(@Nullable Integer n, int maxChoices) {
    if (n != null) {
      intRange("n", n, 1, maxChoices);
    }
  }

  private static void streamOptions(boolean present, boolean streaming) {
    if (present && !streaming) {
      throw new InvalidRequestException("The 'stream_options' parameter is only allowed when 'stream' is enabled.",
          "stream_options", "invalid_value");
    }
  }

  private static void stop(@Nullable StopSequences stop) {
    if (stop != null && stop.values().size() > MAX_STOP_SEQUENCES) {
      throw new InvalidRequestException("Invalid 'stop': array too long. Expected an array with maximum length "
          + MAX_STOP_SEQUENCES + ", but got an array with length " + stop.values().size() + " instead.",
          "stop", "array_above_max_length");
    }
  }

  private static void logitBias(@Nullable Map<String, Double> logitBias) {
    if (logitBias == null) {
      return;
    }
    for (var entry : logitBias.entrySet()) {
      try {
        if (Integer.parseInt(entry.getKey()) < 0) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new InvalidRequestException("Invalid key in 'logit_bias': '" + entry.getKey()
            + "'. Keys must be token ids (non-negative integers).", "logit_bias", "invalid_value");
      }
      range("logit_bias." + entry.getKey(), entry.getValue(), -100, 100);
    }
  }

  private static void tools(@Nullable List<Tool> tools, @Nullable ToolChoice toolChoice) {
    Set<String> names = new HashSet<>();
    if (tools != null) {
      if (tools.size() > MAX_TOOLS) {
        throw new InvalidRequestException("Invalid 'tools': array too long. Expected an array with maximum length "
            + MAX_TOOLS + ", but got an array with length " + tools.size() + " instead.", "tools", "array_above_max_length");
      }
      for (int i = 0; i < tools.size(); i++) {
        Tool tool = tools.get(i);
        String at = "tools[" + i + "]";
        if (tool.type() == null) {
          throw missing(at + ".type");
        }
        if (!tool.type().equals("function")) {
          throw new InvalidRequestException("Invalid value: '" + tool.type() + "'. Supported values are: 'function'.",
              at + ".type", "invalid_value");
        }
        if (tool.function() == null) {
          throw missing(at + ".function");
        }
        String name = tool.function().name();
        if (name == null) {
          throw missing(at + ".function.name");
        }
        if (!FUNCTION_NAME.matcher(name).matches()) {
          throw new InvalidRequestException("Invalid '" + at + ".function.name': string does not match pattern."
              + " Expected a string of 1 to 64 letters, digits, '_' or '-'.", at + ".function.name", "invalid_value");
        }
        if (!names.add(name)) {
          throw new InvalidRequestException("Invalid 'tools': the function name '" + name + "' is used twice.",
              at + ".function.name", "invalid_value");
        }
        if (tool.function().parameters() != null && !tool.function().parameters().isObject()) {
          throw new InvalidRequestException("Invalid '" + at + ".function.parameters': expected an object (a JSON Schema).",
              at + ".function.parameters", "invalid_type");
        }
      }
    }
    if (toolChoice == null || toolChoice.mode().equals("none") || toolChoice.mode().equals("auto")) {
      return;
    }
    if (names.isEmpty()) {
      throw new InvalidRequestException("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools'"
          + " are specified.", "tool_choice", "invalid_value");
    }
    if (toolChoice.functionName() != null && !names.contains(toolChoice.functionName())) {
      throw new InvalidRequestException("Invalid value for 'tool_choice': the function '" + toolChoice.functionName()
          + "' is not among the 'tools'.", "tool_choice", "invalid_value");
    }
  }

  private static void responseFormat(@Nullable ResponseFormat format) {
    if (format == null) {
      return;
    }
    if (format.type() == null) {
      throw missing("response_format.type");
    }
    if (!RESPONSE_FORMATS.contains(format.type())) {
      throw new InvalidRequestException("Invalid value: '" + format.type() + "'. Supported values are: 'text',"
          + " 'json_object', and 'json_schema'.", "response_format.type", "invalid_value");
    }
    if (format.type().equals("json_schema")) {
      if (format.jsonSchema() == null) {
        throw missing("response_format.json_schema");
      }
      if (format.jsonSchema().name() == null) {
        throw missing("response_format.json_schema.name");
      }
      if (format.jsonSchema().schema() != null && !format.jsonSchema().schema().isObject()) {
        throw new InvalidRequestException("Invalid 'response_format.json_schema.schema': expected an object.",
            "response_format.json_schema.schema", "invalid_type");
      }
    }
  }

  private static void samplingExtensions(@Nullable Integer topK, @Nullable Double minP, @Nullable Double repetitionPenalty) {
    if (topK != null) {
      minimum("top_k", topK, -1);
    }
    range("min_p", minP, 0, 1);
    if (repetitionPenalty != null) {
      finite("repetition_penalty", repetitionPenalty);
      if (repetitionPenalty <= 0) {
        throw new InvalidRequestException("Invalid 'repetition_penalty': decimal below minimum value. Expected a value"
            + " > 0, but got " + number(repetitionPenalty) + " instead.", "repetition_penalty", "decimal_below_min_value");
      }
    }
  }

  private static void range(String param, @Nullable Double value, double min, double max) {
    if (value == null) {
      return;
    }
    finite(param, value);
    if (value < min) {
      throw new InvalidRequestException("Invalid '" + param + "': decimal below minimum value. Expected a value >= "
          + number(min) + ", but got " + number(value) + " instead.", param, "decimal_below_min_value");
    }
    if (value > max) {
      throw new InvalidRequestException("Invalid '" + param + "': decimal above maximum value. Expected a value <= "
          + number(max) + ", but got " + number(value) + " instead.", param, "decimal_above_max_value");
    }
  }

  private static void finite(String param, double value) {
    if (!Double.isFinite(value)) {
      throw new InvalidRequestException("Invalid '" + param + "': expected a finite number, but got " + value
          + " instead.", param, "invalid_value");
    }
  }

  private static void minimum(String param, @Nullable Integer value, int min) {
    if (value != null && value < min) {
      throw new InvalidRequestException("Invalid '" + param + "': integer below minimum value. Expected a value >= "
          + min + ", but got " + value + " instead.", param, "integer_below_min_value");
    }
  }

  private static void intRange(String param, int value, int min, int max) {
    minimum(param, value, min);
    if (value > max) {
      throw new InvalidRequestException("Invalid '" + param + "': integer above maximum value. Expected a value <= "
          + max + ", but got " + value + " instead.", param, "integer_above_max_value");
    }
  }

  private static InvalidRequestException missing(String param) {
    return new InvalidRequestException("Missing required parameter: '" + param + "'.", param, "missing_required_parameter");
  }

  /** Numbers as a client wrote them: 2 rather than 2.0. */
  private static String number(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
