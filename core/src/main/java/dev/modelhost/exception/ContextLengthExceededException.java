package dev.modelhost.exception;

/** Prompt plus requested completion tokens do not fit the model's context window (HTTP 400). */
public class ContextLengthExceededException extends InvalidRequestException {

  public static final String CODE = "context_length_exceeded";

  public ContextLengthExceededException(int contextWindow, int promptTokens, int maxTokens) {
    super(
        "This model's maximum context length is "
            + contextWindow
            + " tokens. However, you requested "
            + (promptTokens + maxTokens)
            + " tokens ("
            + promptTokens
            + " in the messages, "
            + maxTokens
            + " in the completion). Please reduce the length of the messages or completion.",
        "messages",
        CODE);
  }

  /** A limit narrower than the model's window, with its own message and the parameter at fault. */
  protected ContextLengthExceededException(String message, String param) {
    super(message, param, CODE);
  }
}
