package dev.modelhost.exception;

import org.jspecify.annotations.Nullable;

/** An unknown or deleted model service, key or route (HTTP 404). */
public class NotFoundException extends ModelhostException {

  public NotFoundException(String message, @Nullable String param, @Nullable String code) {
    super(message, 404, "invalid_request_error", param, code, null);
  }

  /** The error OpenAI gives for an unknown {@code model}. */
  public static NotFoundException model(String model) {
    return new NotFoundException(
        "The model `" + model + "` does not exist or you do not have access to it.",
        "model",
        "model_not_found");
  }
}
