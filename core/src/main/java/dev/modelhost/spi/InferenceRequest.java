package dev.modelhost.spi;

import dev.modelhost.api.ChatCompletionRequest;
import dev.modelhost.api.CompletionRequest;

/**
 * A validated request handed to a replica: a chat or a legacy completion, with the id it is
 * answered under and the signal that cancels it.
 */
public sealed interface InferenceRequest permits InferenceRequest.Chat, InferenceRequest.Text {

  String requestId();

  Cancellation cancellation();

  /** {@code /v1/chat/completions}. */
  record Chat(String requestId, ChatCompletionRequest request, Cancellation cancellation)
      implements InferenceRequest {}

  /** {@code /v1/completions}. */
  record Text(String requestId, CompletionRequest request, Cancellation cancellation)
      implements InferenceRequest {}
}
