package dev.modelhost.engine.internal;

import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.Tool;
import dev.modelhost.exception.InvalidRequestException;
import java.util.List;

/**
 * What a local model cannot honour, refused by name instead of silently ignored: limits on tool
 * calls that only constrained decoding can keep, asked for where the call is not forced. A forced
 * call ({@code tool_choice} {@code required} or a named function) is generated under a grammar
 * that keeps both ({@link OutputConstraints}).
 */
final class UnsupportedParameters {

  private UnsupportedParameters() {}

  static void refuse(ChatCompletionRequest request) {
    boolean forced = request.toolChoice() != null
        && (request.toolChoice().mode().equals("required") || request.toolChoice().functionName() != null);
    if (Boolean.FALSE.equals(request.parallelToolCalls()) && !forced) {
      throw unsupported("parallel_tool_calls", "Unsupported value: 'parallel_tool_calls' does not support false"
          + " with 'tool_choice' 'auto' on this model: only a forced call ('required' or a named function) is held"
          + " to one call per answer.");
    }
    List<Tool> tools = request.tools();
    if (tools != null && !forced) {
      for (int i = 0; i < tools.size(); i++) {
        Tool.FunctionDefinition function = tools.get(i).function();
        if (function != null && Boolean.TRUE.equals(function.strict())) {
          throw unsupported("tools[" + i + "].function.strict", "Unsupported value: 'tools[" + i
              + "].function.strict' does not support true with 'tool_choice' 'auto' on this model: arguments are held"
              + " to the schema when the call is forced ('required' or a named function).");
        }
      }
    }
  }

  private static InvalidRequestException unsupported(String param, String message) {
    return new InvalidRequestException(message, param, "unsupported_value");
  }
}
