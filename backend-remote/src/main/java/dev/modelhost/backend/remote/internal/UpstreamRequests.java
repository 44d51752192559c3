package dev.modelhost.backend.remote.internal;

import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.ChatMessage;
import dev.modelhost.api.CompletionRequest;
import dev.modelhost.api.Json;
import dev.modelhost.api.Prompt;
import dev.modelhost.api.ToolCall;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * The bodies sent upstream: the caller's validated request re-serialized with {@code model}
 * replaced and streaming (with usage) always asked for; plus the token estimates used when the
 * upstream reports no usage.
 */
final class UpstreamRequests {

  /** A rough, widely used average for English text with BPE tokenizers. */
  static final int CHARS_PER_TOKEN = 4;

  private UpstreamRequests() {}

  static byte[] chat(ChatCompletionRequest request, String upstreamModel) {
    return streaming(Json.mapper().valueToTree(request), upstreamModel);
  }

  static byte[] completion(CompletionRequest request, String upstreamModel) {
    return streaming(Json.mapper().valueToTree(request), upstreamModel);
  }

  private static byte[] streaming(ObjectNode body, String upstreamModel) {
    body.put("model", upstreamModel);
    body.put("stream", true);
    body.putObject("stream_options").put("include_usage", true);
    return Json.mapper().writeValueAsBytes(body);
  }

  /** Estimated prompt tokens of a chat: characters of every message's text and tool calls / 4. */
  static int estimatePromptTokens(ChatCompletionRequest request) {
    long chars = 0;
    if (request.messages() != null) {
      for (ChatMessage message : request.messages()) {
        chars += message.text().length();
        if (message.toolCalls() != null) {
          for (ToolCall call : message.toolCalls()) {
            if (call.function() != null) {
              chars += length(call.function().name()) + length(call.function().arguments());
            }
          }
        }
      }
    }
    return tokens(chars);
  }

  /** Estimated prompt tokens of a legacy completion: token-id prompts count exactly. */
  static int estimatePromptTokens(CompletionRequest request) {
    Prompt prompt = request.prompt();
    if (prompt == null) {
      return 0;
    }
    long total = 0;
    for (int i = 0; i < prompt.size(); i++) {
      total += prompt.isTokens(i) ? prompt.tokens(i).length : tokens(prompt.text(i).length());
    }
    return (int) Math.min(Integer.MAX_VALUE, total);
  }

  /** Characters / 4, rounded up. */
  static int tokens(long chars) {
    return (int) Math.min(Integer.MAX_VALUE, (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN);
  }

  private static int length(@Nullable String text) {
    return text == null ? 0 : text.length();
  }
}
