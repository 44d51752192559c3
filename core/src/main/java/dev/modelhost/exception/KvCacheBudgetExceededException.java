package dev.modelhost.exception;

/**
 * One sequence of the request would hold more tokens in its KV cache (prompt plus completion
 * limit) than a replica of the service may hold for all its sequences together (the service option
 * {@code kv-cache-tokens}), so it could never start (HTTP 400). Like a prompt longer than the
 * context window, it is a {@link ContextLengthExceededException}: the remedy is a shorter prompt or
 * a smaller {@code max_tokens}. {@code param} names the part that does not fit: the completion limit
 * ({@code max_tokens}, {@code max_completion_tokens}) when the prompt leaves room for some
 * completion, else the prompt ({@code messages}, {@code prompt}).
 */
public class KvCacheBudgetExceededException extends ContextLengthExceededException {

  private final int budget;
  private final int requested;

  /**
   * @param budget the service's {@code kv-cache-tokens}
   * @param promptTokens the prompt's tokens
   * @param completionTokens the completion limit: {@code max_tokens}, or what the context window
   *     leaves after the prompt when none was given
   * @param limitGiven whether the request gave its completion limit
   * @param promptParam the request's prompt parameter ({@code messages}, {@code prompt})
   * @param limitParam the request's completion-limit parameter ({@code max_tokens},
   *     {@code max_completion_tokens})
   */
  public KvCacheBudgetExceededException(
      int budget, int promptTokens, int completionTokens, boolean limitGiven, String promptParam, String limitParam) {
    super(message(budget, promptTokens, completionTokens, limitGiven, promptParam, limitParam),
        promptTokens >= budget ? promptParam : limitParam);
    this.budget = budget;
    this.requested = promptTokens + completionTokens;
  }

  private static String message(
      int budget, int promptTokens, int completionTokens, boolean limitGiven, String promptParam, String limitParam) {
    String head = "This service holds at most " + budget + " tokens in a replica's KV cache (its option"
        + " kv-cache-tokens). However, you requested " + (promptTokens + completionTokens) + " tokens ("
        + promptTokens + " in the " + promptParam + ", " + completionTokens + " in the completion"
        + (limitGiven ? "" : ", as " + limitParam + " was not given and the completion may fill the context window")
        + "). ";
    if (promptTokens >= budget) {
      return head + "Please reduce the length of the " + promptParam + ".";
    }
    return head + "Please set " + limitParam + " to at most " + (budget - promptTokens)
        + ", or reduce the length of the " + promptParam + ".";
  }

  /** The service's {@code kv-cache-tokens}. */
  public int budget() {
    return budget;
  }

  /** The tokens the sequence would hold: prompt plus completion limit. */
  public int requested() {
    return requested;
  }
}
