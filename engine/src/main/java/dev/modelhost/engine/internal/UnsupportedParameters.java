package dev.modelhost.engine.internal;

import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ResponseFormat;
import dev.modelhost.api.Tool;
import dev.modelhost.api.ToolChoice;
import dev.modelhost.exception.InvalidRequestException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a local model cannot honour, refused by name instead of silently ignored. Each of these asks
 * for constrained decoding (output forced into JSON, a JSON Schema, or a tool call), which the
 * local engine does not do; the remote backend passes them upstream untouched.
 */
final class UnsupportedParameters {

  private UnsupportedParameters() {}

  static void refuse(ChatCompletionRequest request) {
    responseFormat(request.responseFormat());
    ToolChoice choice = request.toolChoice();
    if (choice != null && !choice.equals(ToolChoice.NONE) && !choice.equals(ToolChoice.AUTO)) {
      String value = choice.functionName() == null ? "'" + choice.mode() + "'" : "a named function";
      throw unsupported("tool_choice", "Unsupported value: 'tool_choice' does not support " + value
          + " with this model: local models cannot be forced to call a tool. Use 'auto' or 'none'.");
    }
    if (Boolean.FALSE.equals(request.parallelToolCalls())) {
      throw unsupported("parallel_tool_calls", "Unsupported value: 'parallel_tool_calls' does not support false"
          + " with this model: local models cannot be held to one tool call per answer.");
    }
    List<Tool> tools = request.tools();
    if (tools != null) {
      for (int i = 0; i < tools.size(); i++) {
        Tool.FunctionDefinition function = tools.get(i).function();
        if (function != null && Boolean.TRUE.equals(function.strict())) {
          throw unsupported("tools[" + i + "].function.strict", "Unsupported value: 'tools[" + i
              + "].function.strict' does not support true with this model: local models do not constrain"
              + " arguments to the schema.");
        }
      }
    }
  }

  private static void responseFormat(@Nullable ResponseFormat format) {
    if (format == null || "text".equals(format.type())) {
      return;
    }
    throw unsupported("response_format", "Unsupported value: 'response_format' of type '" + format.type()
        + "' is not supported with this model: local models do not constrain their output to JSON."
        + " Use type 'text'.");
  }

  private static InvalidRequestException unsupported(String param, String message) {
    return new InvalidRequestException(message, param, "unsupported_value");
  }
}
