package dev.modelhost.exception;

import org.jspecify.annotations.Nullable;

/**
 * Root of every error Modelhost raises. Each carries what an OpenAI-compatible error response needs
 * (HTTP status, {@code type}, {@code param}, {@code code}) so it is mapped to JSON in exactly one
 * place, {@link dev.modelhost.api.ErrorMapper}.
 */
public abstract class ModelhostException extends RuntimeException {

  private final int httpStatus;
  private final String type;
  private final @Nullable String param;
  private final @Nullable String code;

  protected ModelhostException(
      String message,
      int httpStatus,
      String type,
      @Nullable String param,
      @Nullable String code,
      @Nullable Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  /** HTTP status this error is answered with. */
  public int httpStatus() {
    return httpStatus;
  }

  /** OpenAI error {@code type}, e.g. {@code invalid_request_error}. */
  public String type() {
    return type;
  }

  /** The request field at fault, if any (e.g. {@code messages}, {@code temperature}). */
  public @Nullable String param() {
    return param;
  }

  /** Machine-readable code, e.g. {@code context_length_exceeded}. */
  public @Nullable String code() {
    return code;
  }

  /** Whether the same request may succeed if sent again later. */
  public boolean isRetriable() {
    return false;
  }
}
